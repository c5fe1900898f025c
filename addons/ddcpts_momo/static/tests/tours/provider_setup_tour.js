/** @odoo-module */

import { registry } from "@web/core/registry";
import { callbackUrlStep, checklistStep, fullWidthStep } from "@ddcpts_base/../tests/tours/provider_setup_steps";

registry.category("web_tour.tours").add("ddcpts_momo_provider_setup", {
    steps: () => [
        checklistStep("The checklist says the API user and key are entered", "API user and API key entered", true),
        checklistStep("… and that MTN would not call this server back yet", "Callback host is this server", false),
        fullWidthStep("momo_api_url"),
        callbackUrlStep("The Request-to-Pay callback URL is shown with a copy button", "/collection/"),
        callbackUrlStep("… and the payout one", "/disbursement/"),
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
        checklistStep("The checklist now shows the callbacks reachable", "Callback host is this server", true),
    ],
});
