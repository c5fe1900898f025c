/** @odoo-module */

import { Component } from "@odoo/owl";
import { CopyButton } from "@web/core/copy_button/copy_button";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/** The callback URLs of a provider record ([{label, url}]), each with a copy button. */
export class DdcptsCallbackUrlsField extends Component {
    static template = "ddcpts_base.CallbackUrlsField";
    static components = { CopyButton };
    static props = { ...standardFieldProps };

    get urls() {
        return this.props.record.data[this.props.name] || [];
    }

    get copiedText() {
        return _t("Copied");
    }
}

/** What is left to set up on a provider record ([{label, done}]). */
export class DdcptsChecklistField extends Component {
    static template = "ddcpts_base.ChecklistField";
    static props = { ...standardFieldProps };

    get steps() {
        return this.props.record.data[this.props.name] || [];
    }
}

registry.category("fields").add("ddcpts_callback_urls", {
    component: DdcptsCallbackUrlsField,
    supportedTypes: ["json"],
});
registry.category("fields").add("ddcpts_checklist", {
    component: DdcptsChecklistField,
    supportedTypes: ["json"],
});
