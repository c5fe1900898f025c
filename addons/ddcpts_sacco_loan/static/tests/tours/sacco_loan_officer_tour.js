/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_sacco_loan_officer", {
    steps: () => [
        {
            content: "New application",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Borrower",
            trigger: ".o_field_widget[name='member_id'] input",
            run: "edit Tour Borrower",
        },
        {
            content: "Pick the member",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Borrower)",
            run: "click",
        },
        {
            content: "Loan product",
            trigger: ".o_field_widget[name='product_id'] input",
            run: "edit Development",
        },
        {
            content: "Pick the product",
            trigger: ".o-autocomplete--dropdown-item:contains(Development Loan)",
            run: "click",
        },
        {
            content: "Amount",
            trigger: ".o_field_widget[name='amount_requested'] input",
            run: "edit 60000",
        },
        {
            content: "Term",
            trigger: ".o_field_widget[name='installments'] input",
            run: "edit 12",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved with its loan number",
            trigger: ".o_field_widget[name='name']:contains(LN)",
        },
        {
            content: "Preview the schedule",
            trigger: "button[name='action_preview_schedule']",
            run: "click",
        },
        {
            content: "Twelve installments",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:nth-child(12)",
        },
        {
            content: "Submit the application",
            trigger: "button[name='action_submit']",
            run: "click",
        },
        {
            content: "Submitted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Submitted)",
        },
    ],
});
