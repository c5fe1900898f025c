/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_sacco_loan_reschedule_request", {
    steps: () => [
        {
            content: "The active loan is open",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Active)",
        },
        {
            content: "Reschedule it",
            trigger: ".o_form_view .o_form_statusbar button:contains(Reschedule)",
            run: "click",
        },
        {
            content: "The new term",
            trigger: ".modal .o_field_widget[name='installments'] input",
            run: "edit 18",
        },
        {
            content: "Why",
            trigger: ".modal .o_field_widget[name='reason'] input",
            run: "edit Harvest failed",
        },
        {
            content: "Request the reschedule",
            trigger: ".modal button[name='action_request']",
            run: "click",
        },
        {
            content: "It waits for a manager",
            trigger: "body:not(:has(.modal)) .o_notification:contains(must approve it)",
        },
        {
            content: "The schedule is unchanged until then",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:nth-child(12):last-child",
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_sacco_loan_reschedule_approve", {
    steps: () => [
        {
            content: "Open the reschedule waiting for approval",
            trigger: ".o_list_view .o_data_row:contains(To Approve):contains(Harvest failed) td[name='loan_id']",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view .o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "It is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "The principal re-amortised is shown",
            trigger: ".o_form_view .o_field_widget[name='principal']:contains(40,000.00)",
        },
        {
            content: "Open the loan",
            trigger: ".o_form_view .o_field_widget[name='loan_id'] a",
            run: "click",
        },
        {
            content: "The new schedule has eighteen installments",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:nth-child(18):last-child",
        },
    ],
});
