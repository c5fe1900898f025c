/** @odoo-module */

/** Tour steps shared by the provider setup tours of the integrations (checklist, layout, callback URLs). */

export function checklistStep(content, label, done) {
    return { content, trigger: `.o_ddcpts_checklist li[data-done='${done ? 1 : 0}']:contains(${label})` };
}

export function fullWidthStep(fieldName) {
    const selector = `.o_field_widget[name='${fieldName}'] input`;
    return {
        content: "The credentials have the page's width, not a quarter of it",
        trigger: selector,
        run() {
            const input = document.querySelector(selector);
            const page = document.querySelector(".o_form_sheet");
            if (input.offsetWidth * 4 < page.offsetWidth) {
                throw new Error(`${fieldName} is ${input.offsetWidth}px wide on a ${page.offsetWidth}px page`);
            }
        },
    };
}

export function callbackUrlStep(content, urlPart) {
    return {
        content,
        trigger: `.o_ddcpts_callback_urls div:has(code.o_ddcpts_callback_url:contains(${urlPart})) .o_clipboard_button`,
    };
}
