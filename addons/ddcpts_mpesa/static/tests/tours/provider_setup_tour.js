/** @odoo-module */

import { registry } from "@web/core/registry";
import { callbackUrlStep, checklistStep, fullWidthStep } from "@ddcpts_base/../tests/tours/provider_setup_steps";

registry.category("web_tour.tours").add("ddcpts_mpesa_provider_setup", {
    steps: () => [
        checklistStep("The checklist says the credentials are entered", "consumer key, secret and passkey", true),
        checklistStep("… and that the paybill URLs are not registered yet", "registered with Safaricom", false),
        fullWidthStep("mpesa_custom_url"),
        callbackUrlStep("The callback URLs are shown with a copy button", "/c2b-confirmation"),
        {
            content: "Register the paybill URLs with Safaricom",
            trigger: ".o_form_view button[name='action_mpesa_register_c2b_urls']",
            run: "click",
        },
        checklistStep("The checklist now shows them registered", "registered with Safaricom", true),
    ],
});
