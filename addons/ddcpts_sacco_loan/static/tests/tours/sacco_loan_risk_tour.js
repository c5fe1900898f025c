/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_sacco_loan_provisioning", {
    steps: () => [
        {
            content: "New provisioning run",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "The classification date",
            trigger: ".o_form_view .o_field_widget[name='date'] input",
            run: "edit 03/31/2026",
        },
        {
            content: "The journal",
            trigger: ".o_form_view .o_field_widget[name='journal_id'] input",
            run: "edit Tour Loans",
        },
        {
            content: "Pick the journal",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Loans)",
            run: "click",
        },
        {
            content: "The provision expense account",
            trigger: ".o_form_view .o_field_widget[name='expense_account_id'] input",
            run: "edit Tour Provision",
        },
        {
            content: "Pick the account",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Provision Expense)",
            run: "click",
        },
        {
            content: "The loan loss allowance account",
            trigger: ".o_form_view .o_field_widget[name='allowance_account_id'] input",
            run: "edit Tour Loan Loss",
        },
        {
            content: "Pick the account",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Loan Loss Allowance)",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Classify the portfolio",
            trigger: ".o_form_view .o_form_saved .o_form_statusbar button[name='action_classify']",
            run: "click",
        },
        {
            content: "The substandard loan is classified",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:contains(Substandard):contains(2,500.00)",
        },
        {
            content: "The required provision",
            trigger: ".o_form_view .o_field_widget[name='provision_required']:contains(2,800.00)",
        },
        {
            content: "PAR 30",
            trigger: ".o_form_view .o_field_widget[name='par30']:contains(25.00)",
        },
        {
            content: "Post the provision",
            trigger: ".o_form_view .o_form_statusbar button[name='action_post']",
            run: "click",
        },
        {
            content: "Posted, with its journal entry",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Posted)",
        },
        {
            content: "The entry is linked",
            trigger: ".o_form_view .o_field_widget[name='move_id'] a",
        },
        {
            content: "Open the classified loans",
            trigger: ".o_form_view .oe_stat_button[name='action_view_lines']",
            run: "click",
        },
        {
            content: "The portfolio graph",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot table",
            trigger: ".o_control_panel .o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "Outstanding principal per risk class",
            trigger: ".o_pivot_view .o_pivot tbody tr:has(th:contains(Substandard)) td:contains(10,000.00)",
        },
        {
            content: "Back to the run",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Provisioning 2026-03)",
            run: "click",
        },
        {
            content: "Open the print menu",
            trigger: ".o_form_view .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Print the risk classification report",
            trigger: ".o-dropdown--menu .o_menu_item:contains(Risk Classification and Provisioning)",
            run: "click",
        },
        {
            content: "The report shows the substandard class",
            trigger: ":iframe .o_sacco_provision_report tr.o_sacco_class_substandard:contains(10,000.00):contains(2,500.00)",
        },
        {
            content: "… and the total required provision",
            trigger: ":iframe .o_sacco_provision_report tr.o_sacco_class_total:contains(2,800.00)",
        },
    ],
});
