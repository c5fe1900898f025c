/** @odoo-module **/

import { _t } from '@web/core/l10n/translation';
import { rpc, RPCError } from '@web/core/network/rpc';

import paymentForm from '@payment/js/payment_form';

/**
 * Mobile-money providers whose payment is a prompt on the customer's phone (M-Pesa STK push, MoMo
 * Request to Pay): the customer confirms a number in the inline form, Odoo sends the request, and
 * the status page follows the transaction. Each addon registers its provider code:
 *
 *     mobileMoneyProviders.momo = {
 *         route: '/payment/momo/request_to_pay',  // JSON route taking reference, access_token, phone
 *         tokenKey: 'momo_access_token',          // processing value holding the access token
 *         inputName: 'o_momo_phone',              // the number's input in the inline form
 *         missingNumber: () => _t("Enter your Mobile Money number."),
 *     };
 */
export const mobileMoneyProviders = {};

paymentForm.include({

    /**
     * A direct flow: no redirection, the request is sent from the payment form.
     *
     * @override
     */
    async _prepareInlineForm(providerId, providerCode, paymentOptionId, paymentMethodCode, flow) {
        if (!mobileMoneyProviders[providerCode]) {
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
        const provider = mobileMoneyProviders[providerCode];
        if (provider && !this._ddcptsMobileNumber(provider)) {
            this._displayErrorDialog(_t("Payment processing failed"), provider.missingNumber());
            this._enableButton();
            return;
        }
        return this._super(...arguments);
    },

    /**
     * Send the request to the phone, then follow the transaction on the status page.
     *
     * @override
     */
    async _processDirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues) {
        const provider = mobileMoneyProviders[providerCode];
        if (!provider) {
            return this._super(...arguments);
        }
        try {
            await rpc(provider.route, {
                reference: processingValues.reference,
                access_token: processingValues[provider.tokenKey],
                phone: this._ddcptsMobileNumber(provider),
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

    _ddcptsMobileNumber(provider) {
        const checkedRadio = this.el.querySelector('input[name="o_payment_radio"]:checked');
        const input = this._getInlineForm(checkedRadio)?.querySelector(`input[name="${provider.inputName}"]`);
        return input ? input.value.trim() : '';
    },
});
