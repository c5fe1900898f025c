/** @odoo-module */

import { registry } from "@web/core/registry";

const BODY = "Your parcel is ready for pickup.";

registry.category("web_tour.tours").add("ddcpts_sms_chatter_send", {
    steps: () => [
        {
            content: "Focus the contact's mobile number",
            trigger: ".o_field_widget[name='mobile'] input",
            run: "click",
        },
        {
            content: "Open the SMS composer from it",
            trigger: ".o_field_widget[name='mobile'] .o_field_phone_sms",
            run: "click",
        },
        {
            content: "Write the message",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: `edit ${BODY}`,
        },
        {
            content: "Send it",
            trigger: ".modal button[name='action_send_sms']",
            run: "click",
        },
        {
            content: "The SMS is on the chatter",
            trigger: `.o-mail-Message:contains(${BODY}) .o-mail-Message-notification i.fa-mobile`,
        },
    ],
});

registry.category("web_tour.tours").add("ddcpts_sms_chatter_delivered", {
    steps: () => [
        {
            content: "Open the delivery status of the SMS",
            trigger: `.o-mail-Message:contains(${BODY}) .o-mail-Message-notification`,
            run: "click",
        },
        {
            content: "The gateway's delivery report marked it delivered",
            trigger: ".o-mail-MessageNotificationPopover:contains(Achieng Odhiambo) i.fa-check[title='Delivered']",
        },
    ],
});
