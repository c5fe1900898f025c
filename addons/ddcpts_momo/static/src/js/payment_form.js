/** @odoo-module **/

import { _t } from '@web/core/l10n/translation';
import { rpc, RPCError } from '@web/core/network/rpc';

import paymentForm from '@payment/js/payment_form';

paymentForm.include({

    /**
     * MoMo is a direct flow: the customer confirms a number, Odoo sends the Request to Pay.
     *
     * @override
     */
    async _prepareInlineForm(providerId, providerCode, paymentOptionId, paymentMethodCode, flow) {
        if (providerCode !== 'momo') {
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
        if (providerCode === 'momo' && !this._momoPhone()) {
            this._displayErrorDialog(_t("Payment processing failed"), _t("Enter your Mobile Money number."));
            this._enableButton();
            return;
        }
        return this._super(...arguments);
    },

    /**
     * Send the Request to Pay, then follow the transaction on the status page ("check your phone").
     *
     * @override
     */
    async _processDirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues) {
        if (providerCode !== 'momo') {
            return this._super(...arguments);
        }
        try {
            await rpc('/payment/momo/request_to_pay', {
                reference: processingValues.reference,
                access_token: processingValues.momo_access_token,
                phone: this._momoPhone(),
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

    _momoPhone() {
        const checkedRadio = this.el.querySelector('input[name="o_payment_radio"]:checked');
        const input = this._getInlineForm(checkedRadio)?.querySelector('input[name="o_momo_phone"]');
        return input ? input.value.trim() : '';
    },
});
