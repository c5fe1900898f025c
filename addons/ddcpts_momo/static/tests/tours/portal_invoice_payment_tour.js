/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_momo_portal_invoice_payment", {
    steps: () => [
        {
            content: "Pay the invoice",
            trigger: "a:contains(Pay Now)",
            run: "click",
        },
        {
            content: "Choose MTN Mobile Money",
            trigger: "#pay_with input[name='o_payment_radio'][data-provider-code='momo']",
            run: "click",
        },
        {
            content: "The customer's Mobile Money number is prefilled",
            trigger: "#pay_with input[name='o_momo_phone'][value='46733123460']",
        },
        {
            content: "Pay: the Request to Pay is sent to the phone",
            trigger: "#pay_with button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The customer approved on the phone; the status page asked MTN: back on the invoice, paid",
            trigger: ".badge:contains(Paid)",
        },
    ],
});
