/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_mpesa_portal_invoice_payment", {
    steps: () => [
        {
            content: "Pay the invoice",
            trigger: "a:contains(Pay Now)",
            run: "click",
        },
        {
            content: "Choose M-Pesa",
            trigger: "#pay_with input[name='o_payment_radio'][data-provider-code='mpesa']",
            run: "click",
        },
        {
            content: "The customer's M-Pesa number is prefilled",
            trigger: "#pay_with input[name='o_mpesa_phone'][value='0708 374 149']",
        },
        {
            content: "Pay: the STK push is sent to the phone",
            trigger: "#pay_with button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The status page asks the customer to check their phone, until M-Pesa confirms",
            trigger: "[name=o_payment_status_alert]:contains(Check your phone)",
            expectUnloadPage: true,
        },
        {
            content: "The customer approved on the phone (simulator): back on the invoice, paid",
            trigger: ".badge:contains(Paid)",
        },
    ],
});
