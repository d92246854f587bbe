import { registry } from "@web/core/registry";
import { patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * The desks' kanbans show every state as a column, empty ones too, in the
 * order of the flow (as the chat desk does). The Python test
 * (test_kanban_columns.py) opens each kanban, in Indonesian, with a record
 * in the first state.
 */
function columnsInOrder(titles) {
    return [
        {
            content: `The kanban shows the ${titles.length} states in the flow's order`,
            trigger: `.o_kanban_group:nth-child(${titles.length}) .o_column_title`,
            run() {
                const shown = [...document.querySelectorAll(".o_kanban_group .o_column_title")].map(
                    (title) => title.textContent.replace(/\(\d+\)/, "").trim()
                );
                if (JSON.stringify(shown) !== JSON.stringify(titles)) {
                    throw new Error(`Columns ${JSON.stringify(shown)}, expected ${JSON.stringify(titles)}`);
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("gema_job_kanban_columns", {
    steps: () =>
        patiently(
            columnsInOrder([
                "Penerimaan Kendaraan",
                "Pemeriksaan",
                "Menunggu Persetujuan",
                "Sedang Dikerjakan",
                "Kontrol Kualitas",
                "Siap Diambil",
                "Sudah Diserahkan",
                "Dibatalkan",
            ]),
        ),
});

registry.category("web_tour.tours").add("gema_ticket_kanban_columns", {
    steps: () =>
        patiently(
            columnsInOrder([
                "Baru",
                "Garansi Diperiksa",
                "Analisis Teknis",
                "Solusi Dikerjakan",
                "Pengiriman Kembali",
                "Terselesaikan",
                "Dibatalkan",
            ]),
        ),
});
