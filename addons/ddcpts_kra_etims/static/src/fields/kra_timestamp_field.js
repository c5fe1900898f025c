/** @odoo-module */

import { Component } from "@odoo/owl";
import { localization } from "@web/core/l10n/localization";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const { DateTime } = luxon;

/** KRA's yyyyMMddHHmmss (Nairobi time), kept as text for the API, shown as a date in Nairobi time. */
export class KraTimestampField extends Component {
    static template = "ddcpts_kra_etims.KraTimestampField";
    static props = { ...standardFieldProps };

    get formattedValue() {
        const value = this.props.record.data[this.props.name];
        const date = value && DateTime.fromFormat(value, "yyyyMMddHHmmss", { zone: "Africa/Nairobi" });
        return date && date.isValid ? date.toFormat(localization.dateTimeFormat) : value || "";
    }
}

registry.category("fields").add("kra_timestamp", {
    component: KraTimestampField,
    displayName: "KRA timestamp",
    supportedTypes: ["char"],
});
