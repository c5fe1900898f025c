/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ddcpts_etims_device_setup", {
    steps: () => [
        {
            content: "The checklist says the device is initialized",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(Initialized with KRA)",
        },
        {
            content: "… and that a call to KRA succeeded (the initialization)",
            trigger: ".o_ddcpts_checklist li[data-done='1']:contains(A test call succeeded)",
        },
        {
            content: "KRA's timestamps read as dates (Nairobi time), not yyyyMMddHHmmss",
            trigger: ".o_field_widget[name='codes_requested_at'] span:contains(:)",
        },
    ],
});
