/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_dashboard", {
    steps: () => [
        {
            content: "The overview shows the payout waiting for my approval",
            trigger: ".o_ddcpts_dashboard [data-tile='payouts'] li:contains(Waiting for my approval) a:contains(1)",
            run: "click",
        },
        {
            content: "It opens the payout to approve",
            trigger: ".o_list_view .o_data_row:contains(Tour Hardware):contains(To Approve)",
        },
        {
            content: "Back to the overview",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Overview)",
            run: "click",
        },
        {
            content: "Open the collections report",
            trigger: ".o_ddcpts_dashboard [data-tile='collections'] li:contains(Collections and success rates) a",
            run: "click",
        },
        {
            content: "The collections are drawn per provider over time",
            trigger: ".o_graph_view",
        },
        {
            content: "Switch to the pivot table",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the success rate",
            trigger: ".o_pivot_view th:contains(Success Rate)",
        },
    ],
});
