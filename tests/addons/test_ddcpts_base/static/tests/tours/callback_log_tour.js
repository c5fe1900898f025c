/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_settings_to_callback_log", {
    url: "/odoo/settings",
    steps: () => [
        {
            content: "Open the East Africa Integrations settings",
            trigger: ".settings_tab .tab[data-key='ddcpts_base']",
            run: "click",
        },
        {
            content: "The encryption key is reported as configured",
            trigger: ".app_settings_block[data-key='ddcpts_base']:contains(A key is configured)",
        },
        {
            content: "Open the callback log from the settings",
            trigger: ".app_settings_block[data-key='ddcpts_base'] button:contains(Callbacks)",
            run: "click",
        },
        {
            content: "Show the failed callbacks",
            trigger: ".o_list_view .o_data_row:contains(Failed):contains(/event)",
        },
        {
            content: "Open the failed callback",
            trigger: ".o_data_row:contains(Failed) td[name='route']",
            run: "click",
        },
        {
            content: "The error is shown",
            trigger: ".o_form_view .alert-danger:contains(does not accept events yet)",
        },
        {
            content: "Process it again (the provider now accepts events)",
            trigger: ".o_form_view button[name='action_reprocess']",
            run: "click",
        },
        {
            content: "It is processed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Processed)",
        },
    ],
});
