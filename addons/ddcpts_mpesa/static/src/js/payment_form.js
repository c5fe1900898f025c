/** @odoo-module **/

import { _t } from '@web/core/l10n/translation';
import { rpc, RPCError } from '@web/core/network/rpc';

import paymentForm from '@payment/js/payment_form';

paymentForm.include({

    /**
     * M-Pesa is a direct flow: the customer confirms a number, Odoo sends the STK push.
     *
     * @override
     */
    async _prepareInlineForm(providerId, providerCode, paymentOptionId, paymentMethodCode, flow) {
        if (providerCode !== 'mpesa') {
            return this._super(...arguments);
        }
        this._setPaymentFlow('direct');
    },

    /**
     * Refuse to start without a number, before a transaction is created.
     *
     * @override
     */
    async _initiatePaymentFlow(providerCode, paymentOptionId, paymentMethodCode, flow) {
        if (providerCode === 'mpesa' && !this._mpesaPhone()) {
            this._displayErrorDialog(_t("Payment processing failed"), _t("Enter your M-Pesa number."));
            this._enableButton();
            return;
        }
        return this._super(...arguments);
    },

    /**
     * Send the STK push, then follow the transaction on the status page ("check your phone").
     *
     * @override
     */
    async _processDirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues) {
        if (providerCode !== 'mpesa') {
            return this._super(...arguments);
        }
        try {
            await rpc('/payment/mpesa/stk_push', {
                reference: processingValues.reference,
                access_token: processingValues.mpesa_access_token,
                phone: this._mpesaPhone(),
            });
            window.location = '/payment/status';
        } catch (error) {
            if (!(error instanceof RPCError)) {
                throw error;
            }
            this._displayErrorDialog(_t("Payment processing failed"), error.data.message);
            this._enableButton();
        }
    },

    _mpesaPhone() {
        const checkedRadio = this.el.querySelector('input[name="o_payment_radio"]:checked');
        const input = this._getInlineForm(checkedRadio)?.querySelector('input[name="o_mpesa_phone"]');
        return input ? input.value.trim() : '';
    },
});
