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
