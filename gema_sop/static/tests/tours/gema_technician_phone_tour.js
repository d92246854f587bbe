import { registry } from "@web/core/registry";
import { fitsPhoneScreen, patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * ST-2, ST-4, ST-10: a technician finishes a job with approved extra work
 * on a phone (390x844, touch), in Indonesian. The Python test
 * (test_technician_phone.py) builds the job in progress: the brake discs
 * approved, the brake fluid refused.
 */
const CARD = ".o_kanban_record:contains('BK 1234 ABC')";
const DISCS = ".o_gema_extra_work_kanban .o_kanban_record:contains('Replace the brake discs')";
const FLUID = ".o_gema_extra_work_kanban .o_kanban_record:contains('Brake fluid')";

registry.category("web_tour.tours").add("gema_technician_phone_job", {
    steps: () =>
        patiently([
            {
                content: "My Jobs counts the approved extra work, none done yet",
                trigger: `${CARD} .o_gema_extra_work_progress:contains('0/1')`,
            },
            {
                content: "Finished is refused while the approved extra work is open",
                trigger: `${CARD} button[name='action_finish']`,
                run: "click",
            },
            {
                content: "... saying which work is left",
                trigger: ".modal:contains('selesaikan dulu pekerjaan tambahan yang disetujui')",
            },
            {
                content: "Close the message",
                trigger: ".modal .modal-footer .btn-primary",
                run: "click",
            },
            {
                content: "Open the job",
                trigger: `${CARD} span:contains('BK 1234 ABC')`,
                run: "click",
            },
            {
                content: "Open the extra work",
                trigger: ".o_notebook a[name='extra_work']",
                run: "click",
            },
            {
                content: "The refused work says so and cannot start",
                trigger: `${FLUID}:contains('Ditolak'):not(:has(button[name='action_start_work']))`,
            },
            fitsPhoneScreen(`${DISCS}:contains('Disetujui')`),
            {
                content: "Start the approved brake discs on their card",
                trigger: `${DISCS} button[name='action_start_work']`,
                run: "click",
            },
            {
                content: "The work is in progress",
                trigger: `${DISCS}:contains('Sedang Dikerjakan') button[name='action_done_work']`,
            },
            {
                content: "Tap the card: its form offers Done",
                trigger: `${DISCS} span:contains('Replace the brake discs')`,
                run: "click",
            },
            {
                content: "Done, in the form of the extra work",
                trigger: ".modal .o_form_view button[name='action_done_work']",
                run: "click",
            },
            {
                content: "The form shows the work done",
                trigger: ".modal .o_form_view .o_field_widget[name='work_state']:contains('Selesai')",
            },
            {
                content: "Close the form",
                trigger: ".modal .modal-header .oi-arrow-left",
                run: "click",
            },
            {
                content: "The card shows the work done, with no button left",
                trigger: `${DISCS}:contains('Selesai'):not(:has(button))`,
            },
            {
                content: "Back to My Jobs",
                trigger: "button.o_back_button",
                run: "click",
            },
            {
                content: "The card counts the work done",
                trigger: `${CARD} .o_gema_extra_work_progress:contains('1/1')`,
            },
            {
                content: "Finished",
                trigger: `${CARD} button[name='action_finish']`,
                run: "click",
            },
            {
                content: "QC Passed",
                trigger: `${CARD} button[name='action_qc_pass']`,
                run: "click",
            },
            {
                content: "The card shows the QC passed",
                trigger: `${CARD} .o_gema_qc_passed`,
            },
            fitsPhoneScreen(`${CARD} .o_gema_qc_passed`),
        ]),
});
