/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_momo_provider_setup", {
    steps: () => [
        {
            content: "The checklist says the API user and key are entered",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(API user and API key entered)",
        },
        {
            content: "… and that MTN would not call this server back yet",
            trigger: ".o_ddcpts_checklist li[data-done='0']:contains(Callback host is this server)",
        },
        {
            content: "The credentials have the page's width, not a quarter of it",
            trigger: ".o_field_widget[name='momo_api_url'] input",
            run() {
                const input = document.querySelector(".o_field_widget[name='momo_api_url'] input");
                const page = document.querySelector(".o_form_sheet");
                if (input.offsetWidth * 4 < page.offsetWidth) {
                    throw new Error(`the API URL field is ${input.offsetWidth}px wide on a ${page.offsetWidth}px page`);
                }
            },
        },
        {
            content: "The Request-to-Pay callback URL is shown with a copy button",
            trigger: ".o_ddcpts_callback_urls div:has(code.o_ddcpts_callback_url:contains(/collection/)) .o_clipboard_button",
        },
        {
            content: "… and the payout one",
            trigger: ".o_ddcpts_callback_urls div:has(code.o_ddcpts_callback_url:contains(/disbursement/)) .o_clipboard_button",
        },
        {
            content: "Enter this server's host as the callback host registered with MTN",
            trigger: ".o_field_widget[name='momo_callback_host'] input",
            run: "edit 127.0.0.1",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The checklist now shows the callbacks reachable",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(Callback host is this server)",
        },
    ],
});
