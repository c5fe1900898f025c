/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_sacco_onboard", {
    steps: () => [
        {
            content: "Register a new applicant",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Full name",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Wanjiru Tour",
        },
        {
            content: "National ID",
            trigger: ".o_field_widget[name='national_id'] input",
            run: "edit 31415926",
        },
        {
            content: "KRA PIN",
            trigger: ".o_field_widget[name='kra_pin'] input",
            run: "edit a012345678z",
        },
        {
            content: "Date of birth",
            trigger: ".o_field_widget[name='birthdate'] input",
            run: "edit 02/01/1990",
        },
        {
            content: "Mobile number",
            trigger: ".o_field_widget[name='phone'] input",
            run: "edit 0799 123 456",
        },
        {
            content: "Save the application",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The application is saved",
            trigger: ".o_breadcrumb:contains(Wanjiru Tour)",
        },
        {
            content: "Activate the membership",
            trigger: "button[name='action_activate']",
            run: "click",
        },
        {
            content: "The member is active with a deposits account",
            trigger: ".o_field_widget[name='account_ids'] .o_data_row:contains(-DEP)",
        },
        {
            content: "Receive a deposit at the counter",
            trigger: ".o_statusbar_buttons button:contains(Receive Money)",
            run: "click",
        },
        {
            content: "Amount",
            trigger: ".modal .o_field_widget[name='amount'] input",
            run: "edit 2500",
        },
        {
            content: "Post the receipt",
            trigger: ".modal button[name='action_post']",
            run: "click",
        },
        {
            content: "The deposit is on the member's deposits account",
            trigger: ".o_field_widget[name='account_ids'] .o_data_row:contains(-DEP):contains(2,500.00)",
        },
        {
            content: "Print a statement",
            trigger: ".o_statusbar_buttons button:contains(Print Statement)",
            run: "click",
        },
        {
            content: "All the member's accounts are chosen",
            trigger: ".modal .o_field_widget[name='account_ids'] .badge:contains(-DEP)",
        },
        {
            content: "Print",
            trigger: ".modal button[name='action_print']",
            run: "click",
        },
        {
            content: "The statement preview shows the member and the deposit",
            trigger: ":iframe .page:contains(Wanjiru Tour)",
        },
        {
            content: "The closing balance is the deposit",
            trigger: ":iframe .o_sacco_closing:contains(2,500.00)",
        },
    ],
});
