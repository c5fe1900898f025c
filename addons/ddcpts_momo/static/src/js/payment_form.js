/** @odoo-module **/

import { _t } from '@web/core/l10n/translation';

import { mobileMoneyProviders } from '@ddcpts_base/js/mobile_payment_form';

// MTN MoMo is a direct flow: the customer confirms a number, Odoo sends the Request to Pay
mobileMoneyProviders.momo = {
    route: '/payment/momo/request_to_pay',
    tokenKey: 'momo_access_token',
    inputName: 'o_momo_phone',
    missingNumber: () => _t("Enter your Mobile Money number."),
};
