/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_sms_gateway_setup", {
    steps: () => [
        {
            content: "The checklist says the API key is entered",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(API key entered)",
        },
        {
            content: "… and that no test call succeeded yet",
            trigger: ".o_ddcpts_checklist li[data-done='0']:contains(A test call succeeded)",
        },
        {
            content: "The delivery report URL is shown with a copy button",
            trigger: ".o_field_CopyClipboardChar:contains(/delivery) .o_clipboard_button",
        },
        {
            content: "Test the connection",
            trigger: ".o_form_view .o_form_statusbar button[name='action_ddcpts_check_health']",
            run: "click",
        },
        {
            content: "The checklist now shows the test call succeeded",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(A test call succeeded)",
        },
    ],
});
