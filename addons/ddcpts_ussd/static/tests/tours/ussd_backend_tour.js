/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_ussd_unlock_pin", {
    steps: () => [
        {
            content: "The service is listed with its code",
            trigger: ".o_list_view .o_data_row:contains(Test service):contains(*384*11469#)",
        },
        {
            content: "Open the USSD menu",
            trigger: ".o_main_navbar .dropdown-toggle:contains(USSD)",
            run: "click",
        },
        {
            content: "Open the sessions",
            trigger: ".dropdown-item:contains(USSD Sessions)",
            run: "click",
        },
        {
            content: "The caller's session is listed, ended",
            trigger: ".o_list_view .o_data_row:contains(+254700100299):contains(Ended)",
        },
        {
            content: "Open the USSD menu again",
            trigger: ".o_main_navbar .dropdown-toggle:contains(USSD)",
            run: "click",
        },
        {
            content: "Open the PINs",
            trigger: ".dropdown-item:contains(USSD PINs)",
            run: "click",
        },
        {
            content: "Unlock the caller's PIN",
            trigger: ".o_data_row:contains(Akinyi Otieno) button[name='action_unlock']",
            run: "click",
        },
        {
            content: "The PIN is unlocked",
            trigger: ".o_data_row:contains(Akinyi Otieno):not(:has(button[name='action_unlock']))",
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_ussd_callback_not_replayed", {
    steps: () => [
        {
            content: "The stored step of a USSD session shows why it failed",
            trigger: ".o_form_view .alert-danger:contains(worker stopped)",
        },
        {
            content: "It is marked failed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Failed)",
        },
        {
            content: "No Reprocess button: the caller has gone, the step cannot be answered again",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_reprocess']))",
        },
    ],
});
