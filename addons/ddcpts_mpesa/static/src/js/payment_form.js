/** @odoo-module **/

import { _t } from '@web/core/l10n/translation';

import { mobileMoneyProviders } from '@ddcpts_base/js/mobile_payment_form';

// M-Pesa is a direct flow: the customer confirms a number, Odoo sends the STK push
mobileMoneyProviders.mpesa = {
    route: '/payment/mpesa/stk_push',
    tokenKey: 'mpesa_access_token',
    inputName: 'o_mpesa_phone',
    missingNumber: () => _t("Enter your M-Pesa number."),
};
