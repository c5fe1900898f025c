/** @odoo-module */

import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/**
 * The East Africa overview: tiles computed by ddcpts.dashboard (each addon adds its own there),
 * every figure opening the records behind it.
 */
export class DdcptsDashboard extends Component {
    static template = "ddcpts_base.Dashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ tiles: [] });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.tiles = await this.orm.call("ddcpts.dashboard", "ddcpts_get_tiles", []);
    }

    open(line) {
        if (line.action) {
            this.action.doAction(line.action);
        }
    }
}

registry.category("actions").add("ddcpts_dashboard", DdcptsDashboard);
