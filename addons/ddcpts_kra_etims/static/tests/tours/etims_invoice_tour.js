/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_etims_post_and_print", {
    steps: () => [
        {
            content: "Confirm the draft invoice",
            trigger: ".o_form_view .o_form_statusbar button[name='action_post']:contains(Confirm)",
            run: "click",
        },
        {
            content: "The invoice is posted",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Posted)",
        },
        {
            content: "Open the eTIMS tab",
            trigger: ".o_form_view .o_notebook a[name='etims']",
            run: "click",
        },
        {
            content: "KRA signed it when it was posted",
            trigger: ".o_form_view .o_field_widget[name='etims_state']:contains(Signed)",
        },
        {
            content: "The signature is shown",
            trigger: ".o_form_view .o_field_widget[name='etims_signature'] span:not(:empty)",
        },
        {
            content: "Print the invoice",
            trigger: ".o_form_view .o_form_statusbar button[name='action_print_pdf']",
            run: "click",
        },
        {
            content: "The printed invoice carries the KRA block",
            trigger: ":iframe #etims_receipt:contains(KRA eTIMS):contains(Receipt Signature)",
        },
        {
            content: "… with the receipt's QR code",
            trigger: ":iframe #etims_receipt img.o_etims_qr[src^='data:image/png;base64,']",
        },
    ],
});
