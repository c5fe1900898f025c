/** @odoo-module */

import { registry } from "@web/core/registry";

/** The life of one application in the back office, each tour run by the person who does that step. */

function currentState(label) {
    return `.o_form_view .o_statusbar_status button.o_arrow_button_current:contains(${label})`;
}

registry.category("web_tour.tours").add("ddcpts_sacco_loan_appraise", {
    steps: () => [
        {
            content: "The submitted application is open",
            trigger: currentState("Submitted"),
        },
        {
            content: "Check the member's eligibility",
            trigger: ".o_form_view .o_form_statusbar button[name='action_check_eligibility']",
            run: "click",
        },
        {
            content: "The reasons are shown: the member's deposits do not cover the loan",
            trigger: ".o_notification:contains(is not eligible):contains(add guarantors)",
        },
        {
            content: "Dismiss the reasons",
            trigger: ".o_notification:contains(add guarantors) .o_notification_close",
            run: "click",
        },
        {
            content: "Open the appraisal tab",
            trigger: ".o_form_view .o_notebook a[name='appraisal']",
            run: "click",
        },
        {
            content: "The reasons are kept on the application",
            trigger: ".o_form_view .o_field_widget[name='eligibility_notes']:contains(cover 20,000.00):contains(required: add guarantors)",
        },
        {
            content: "Open the guarantors tab",
            trigger: ".o_form_view .o_notebook a[name='guarantors']",
            run: "click",
        },
        {
            content: "Add a guarantor",
            trigger: ".o_form_view .o_field_widget[name='guarantor_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The guarantor",
            trigger: ".o_field_widget[name='guarantor_ids'] .o_data_row .o_field_widget[name='member_id'] input",
            run: "edit Brian",
        },
        {
            content: "Pick the member",
            trigger: ".o-autocomplete--dropdown-item:contains(Brian Kiprop)",
            run: "click",
        },
        {
            content: "The pledge",
            trigger: ".o_field_widget[name='guarantor_ids'] .o_data_row .o_field_widget[name='amount'] input",
            run: "edit 20000",
        },
        {
            content: "Pay out by mobile money",
            trigger: ".o_form_view .o_field_widget[name='disbursement_method'] select",
            run: "selectByLabel Mobile Money",
        },
        {
            content: "From the bank journal",
            trigger: ".o_form_view .o_field_widget[name='disbursement_journal_id'] input",
            run: "edit Tour Bank",
        },
        {
            content: "Pick the journal",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Bank)",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The guarantor asked in person: record the acceptance",
            trigger: ".o_form_view .o_form_saved .o_field_widget[name='guarantor_ids'] .o_data_row:contains(Brian Kiprop) button[name='action_accept']",
            run: "click",
        },
        {
            content: "The pledge is accepted",
            trigger: ".o_field_widget[name='guarantor_ids'] .o_data_row:contains(Brian Kiprop):contains(Accepted)",
        },
        {
            content: "Check the eligibility again",
            trigger: ".o_form_view .o_form_statusbar button[name='action_check_eligibility']",
            run: "click",
        },
        {
            content: "Back to the appraisal tab",
            trigger: ".o_form_view .o_notebook a[name='appraisal']",
            run: "click",
        },
        {
            content: "The member is eligible now",
            trigger: ".o_form_view .o_field_widget[name='eligibility_notes']:contains(Eligible.)",
        },
        {
            content: "Appraise the application",
            trigger: ".o_form_view .o_form_statusbar button[name='action_appraise']",
            run: "click",
        },
        {
            content: "It is in appraisal",
            trigger: currentState("In Appraisal"),
        },
        {
            content: "Try to approve one's own appraisal",
            trigger: ".o_form_view .o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "Refused: another person must approve it",
            trigger: ".modal:contains(Tour Officer appraised):contains(another person must approve it)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The application still waits for its approver",
            trigger: `body:not(:has(.modal)) ${currentState("In Appraisal")}`,
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_sacco_loan_approve", {
    steps: () => [
        {
            content: "Open the appraisal tab",
            trigger: ".o_form_view .o_notebook a[name='appraisal']",
            run: "click",
        },
        {
            content: "The officer's appraisal is recorded",
            trigger: ".o_form_view .o_field_widget[name='appraised_by_id']:contains(Tour Officer)",
        },
        {
            content: "… who found the member eligible",
            trigger: ".o_form_view .o_field_widget[name='eligibility_notes']:contains(Eligible.)",
        },
        {
            content: "Approve",
            trigger: ".o_form_view .o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "Approved",
            trigger: currentState("Approved"),
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_sacco_loan_disburse", {
    steps: () => [
        {
            content: "What the member receives, net of the deducted charges",
            trigger: ".o_form_view .o_field_widget[name='net_disbursed']:contains(39,200.00)",
        },
        {
            content: "Disburse",
            trigger: ".o_form_view .o_form_statusbar button[name='action_disburse']",
            run: "click",
        },
        {
            content: "A payout carries the money; the loan waits for it",
            trigger: ".o_form_view .o_field_widget[name='payout_id'] a",
        },
        {
            content: "Still approved until the money has left",
            trigger: currentState("Approved"),
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_sacco_loan_payout_approve", {
    steps: () => [
        {
            content: "Open the loan's payout",
            trigger: ".o_form_view .o_field_widget[name='payout_id'] a",
            run: "click",
        },
        {
            content: "It waits for a second person",
            trigger: currentState("To Approve"),
        },
        {
            content: "Approve the payout",
            trigger: ".o_form_view .o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "The payout is approved",
            trigger: currentState("Approved"),
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_sacco_loan_payout_paid", {
    steps: () => [
        {
            content: "Open the loan's payout",
            trigger: ".o_form_view .o_field_widget[name='payout_id'] a",
            run: "click",
        },
        {
            content: "It was sent",
            trigger: currentState("Sent"),
        },
        {
            content: "The provider's receipt",
            trigger: ".o_form_view .o_field_widget[name='provider_reference'] input",
            run: "edit TGR4KXQ2MZ",
        },
        {
            content: "Confirm it was paid",
            trigger: ".o_form_view .o_form_statusbar button[name='action_confirm_manual_payment']",
            run: "click",
        },
        {
            content: "The payout is done",
            trigger: currentState("Done"),
        },
        {
            content: "Back to the loan",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(LN)",
            run: "click",
        },
        {
            content: "The loan is active",
            trigger: currentState("Active"),
        },
        {
            content: "… with its twelve installments",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:nth-child(12)",
        },
    ],
});
