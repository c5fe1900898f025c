/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_sacco_loan_guarantor_portal", {
    steps: () => [
        {
            content: "Open the guarantee requests from the portal home",
            trigger: "a[href='/my/sacco/guarantees']",
            run: "click",
        },
        {
            content: "Accept the request",
            trigger: "tr.o_sacco_guarantee form.o_sacco_guarantee_accept button",
            run: "click",
        },
        {
            content: "The pledge counts",
            trigger: ".alert-success:contains(your guarantee counts towards the loan)",
        },
    ],
});
