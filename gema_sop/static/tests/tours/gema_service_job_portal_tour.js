import { registry } from "@web/core/registry";
import { fitsPhoneScreen, patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * ST-2 / ST-4: the customer opens the status page of their job from the
 * token link on a phone, approves one extra work and refuses another, each
 * after the page asked once "are you sure" (going back from the question
 * records nothing); the page then shows each decision and no longer asks
 * for one. The Python test (test_service_job_portal.py) builds the job and
 * checks the decisions in the backend afterwards.
 */
function lineButton(workName, button) {
    return `.o_gema_job_line:has(.o_gema_job_line_name:contains("${workName}")) ${button}`;
}

registry.category("web_tour.tours").add("gema_service_job_portal_approval", {
    steps: () =>
        patiently([
            {
                content: "The status page shows the job waiting for the customer",
                trigger: "#gema_job_state[data-state='waiting_approval']",
            },
            fitsPhoneScreen("#gema_job_lines"),
            {
                content: "Approve the brake pads",
                trigger: lineButton("Replace brake pads", ".o_gema_job_line_approve"),
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "The page asks once before recording the approval",
                trigger: lineButton(
                    "Replace brake pads",
                    "#gema_job_confirm:contains('Approve this extra work?')"
                ),
            },
            fitsPhoneScreen("#gema_job_confirm"),
            {
                content: "Confirm the approval",
                trigger: lineButton("Replace brake pads", ".o_gema_job_line_confirm_yes"),
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "The approval is confirmed",
                trigger: "#gema_job_notice.alert-success:contains('Replace brake pads')",
            },
            {
                content: "The brake pads show as approved, with when, without buttons",
                trigger: ".o_gema_job_line[data-approval-state='approved']:contains('Replace brake pads'):has(.o_gema_job_line_decided):not(:has(form))",
            },
            {
                content: "The engine flush still waits for the customer",
                trigger: "#gema_job_summary:contains('Please approve or refuse each item')",
            },
            {
                content: "Start refusing the engine flush",
                trigger: lineButton("Engine flush", ".o_gema_job_line_refuse"),
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "Go back from the question",
                trigger: lineButton("Engine flush", ".o_gema_job_line_confirm_back"),
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "Give a reason for refusing the engine flush",
                trigger: lineButton("Engine flush", "input[name='note']"),
                run: "edit Next month, thank you",
            },
            {
                content: "Refuse the engine flush",
                trigger: lineButton("Engine flush", ".o_gema_job_line_refuse"),
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "Confirm the refusal",
                trigger: lineButton("Engine flush", "#gema_job_confirm .o_gema_job_line_confirm_yes"),
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "The refusal is confirmed",
                trigger: "#gema_job_notice.alert-success:contains('Engine flush')",
            },
            {
                content: "The engine flush shows as refused",
                trigger: ".o_gema_job_line[data-approval-state='refused']:contains('Engine flush'):has(.o_gema_job_line_decided):not(:has(form))",
            },
            {
                content: "Nothing waits any more: the page says the decision was received",
                trigger: "#gema_job_summary:contains('Decision received'):not(:contains('Please approve or refuse'))",
            },
        ]),
});
