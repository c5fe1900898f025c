/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_mpesa_portal_invoice_payment", {
    steps: () => [
        {
            content: "Pay the invoice (the test gave the simulator's address in the URL's fragment: kept for later)",
            trigger: "a:contains(Pay Now)",
            async run(helpers) {
                const sandbox = new URLSearchParams(window.location.hash.slice(1)).get("ddcpts_sandbox");
                window.sessionStorage.setItem("ddcpts_sandbox", sandbox);
                await helpers.click();
            },
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
            content: "The status page asks the customer to check their phone; only now does the customer approve "
                + "on the phone: the simulator sends the callback it holds",
            trigger: "[name=o_payment_status_alert]:contains(Check your phone)",
            run() {
                const sandbox = window.sessionStorage.getItem("ddcpts_sandbox");
                fetch(`${sandbox}/_sandbox/callbacks/deliver`, { method: "POST", mode: "no-cors", body: "{}" });
            },
            expectUnloadPage: true,
        },
        {
            content: "The customer approved on the phone (simulator): back on the invoice, paid",
            trigger: ".badge:contains(Paid)",
        },
    ],
});
