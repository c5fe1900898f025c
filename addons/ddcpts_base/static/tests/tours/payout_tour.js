/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_payout_request", {
    steps: () => [
        {
            content: "Create a payout",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the recipient",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input",
            run: "edit Tour Hardware",
        },
        {
            content: "Pick the recipient in the list",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Hardware)",
            run: "click",
        },
        {
            content: "The recipient's mobile number is filled in",
            trigger: ".o_form_view .o_field_widget[name='recipient_phone'] input:value(0712 345 678)",
        },
        {
            content: "Enter the amount",
            trigger: ".o_form_view .o_field_widget[name='amount'] input",
            run: "edit 1200",
        },
        {
            content: "Choose the journal the money leaves",
            trigger: ".o_form_view .o_field_widget[name='journal_id'] input",
            run: "edit Tour Bank",
        },
        {
            content: "Pick the journal in the list",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Bank)",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The payout is saved as a draft",
            trigger: ".o_form_view .o_form_saved .o_statusbar_status button.o_arrow_button_current:contains(Draft)",
        },
        {
            content: "Submit it for approval",
            trigger: ".o_form_view .o_form_statusbar button[name='action_submit']",
            run: "click",
        },
        {
            content: "It waits for approval",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(To Approve)",
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_payout_approve", {
    steps: () => [
        {
            content: "Show the payouts waiting for me",
            trigger: ".o_list_view .o_data_row:contains(Tour Hardware):contains(To Approve) td[name='partner_id']",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view .o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "It is approved",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_payout_confirm_paid", {
    steps: () => [
        {
            content: "The manual payout was sent",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Sent)",
        },
        {
            content: "The provider's message is shown, not editable",
            trigger: ".o_form_view .o_field_widget[name='provider_message']:contains(Queued at the bank):not(:has(input))",
        },
        {
            content: "Enter the bank's reference",
            trigger: ".o_form_view .o_field_widget[name='provider_reference'] input",
            run: "edit BANK-TRF-0042",
        },
        {
            content: "Confirm it was paid",
            trigger: ".o_form_view .o_form_statusbar button[name='action_confirm_manual_payment']",
            run: "click",
        },
        {
            content: "The payout is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
    ],
});
