/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_mpesa_provider_setup", {
    steps: () => [
        {
            content: "The checklist says the credentials are entered",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(consumer key, secret and passkey)",
        },
        {
            content: "… and that the paybill URLs are not registered yet",
            trigger: ".o_ddcpts_checklist li[data-done='0']:contains(registered with Safaricom)",
        },
        {
            content: "The credentials have the page's width, not a quarter of it",
            trigger: ".o_field_widget[name='mpesa_custom_url'] input",
            run() {
                const input = document.querySelector(".o_field_widget[name='mpesa_custom_url'] input");
                const page = document.querySelector(".o_form_sheet");
                if (input.offsetWidth * 4 < page.offsetWidth) {
                    throw new Error(`the API URL field is ${input.offsetWidth}px wide on a ${page.offsetWidth}px page`);
                }
            },
        },
        {
            content: "The callback URLs are shown with a copy button",
            trigger: ".o_ddcpts_callback_urls div:has(code.o_ddcpts_callback_url:contains(/c2b-confirmation)) .o_clipboard_button",
        },
        {
            content: "Register the paybill URLs with Safaricom",
            trigger: ".o_form_view button[name='action_mpesa_register_c2b_urls']",
            run: "click",
        },
        {
            content: "The checklist now shows them registered",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(registered with Safaricom)",
        },
    ],
});
