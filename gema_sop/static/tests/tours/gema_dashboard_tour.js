import { registry } from "@web/core/registry";
import { patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * The managers' reports in Chromium (CS-8, G-2). The Python test
 * (test_dashboard.py) opens them as a supervisor, with SLA lines, a
 * violation, a rated conversation and bookings in the branch.
 */

/** Resolves once ``ready()`` is true, fails after 25 s. */
async function waitFor(ready, what) {
    const end = Date.now() + 25000;
    while (!ready()) {
        if (Date.now() > end) {
            throw new Error(`Timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** The spreadsheet model the dashboard action shows (found in the tree of
 * Owl components: the action keeps it in its state, not in the DOM). */
function dashboardModel() {
    const nodes = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (nodes.length) {
        const node = nodes.pop();
        const model = node.component?.props?.model;
        if (model?.getters?.getOdooChartIds) {
            return model;
        }
        nodes.push(...Object.values(node.children));
    }
    return undefined;
}

registry.category("web_tour.tours").add("gema_customer_care_dashboard", {
    steps: () =>
        patiently([
            {
                content: "The Customer Care dashboard shows its figures",
                trigger: ".o_spreadsheet_dashboard_action .o-figure canvas.o-scorecard",
            },
            {
                content: "Every chart's data and every cell's formula load without error",
                trigger: ".o_spreadsheet_dashboard_action .o-spreadsheet",
                async run() {
                    if (document.querySelector(".o_spreadsheet_dashboard_action .error")) {
                        throw new Error("The dashboard did not load");
                    }
                    const model = dashboardModel();
                    const { getters } = model;
                    // The grid draws the figures in view only: all ten are
                    // checked in the model.
                    const figures = getters.getFigures(getters.getActiveSheetId());
                    if (figures.length !== 10) {
                        throw new Error(`${figures.length} figures, expected 10`);
                    }
                    for (const figure of figures) {
                        if (!getters.getChartRuntime(figure.id)) {
                            throw new Error(`Figure ${figure.id} has nothing to draw`);
                        }
                    }
                    const charts = getters.getOdooChartIds();
                    if (charts.length !== 4) {
                        throw new Error(`${charts.length} Odoo charts, expected 4`);
                    }
                    await waitFor(
                        () => charts.every((id) => getters.getChartDataSource(id).isReady()),
                        "the charts' data"
                    );
                    for (const id of charts) {
                        const source = getters.getChartDataSource(id);
                        if (!source.isValid()) {
                            throw new Error(`Chart ${id}: ${source._loadError?.message}`);
                        }
                    }
                    const cells = () =>
                        getters
                            .getSheetIds()
                            .flatMap((sheetId) => getters.getEvaluatedCells(sheetId));
                    await waitFor(
                        () => !cells().some((cell) => cell.value === "Loading..."),
                        "the pivots' values"
                    );
                    const errors = cells().filter((cell) => cell.type === "error");
                    if (errors.length) {
                        throw new Error(
                            `Cells in error: ${errors.map((cell) => cell.message).join(", ")}`
                        );
                    }
                    // Open breaches are not limited to the period: the test's one
                    // breached line in the supervisor's branch (the other
                    // branch's is not theirs to see).
                    const dataSheet = getters.getSheetIdByName("Data");
                    const breaches = getters.getEvaluatedCell({ sheetId: dataSheet, col: 2, row: 2 });
                    if (breaches.value !== 1) {
                        throw new Error(`Open breaches: ${breaches.value}, expected 1`);
                    }
                },
            },
        ]),
});

registry.category("web_tour.tours").add("gema_violation_graph_ticks", {
    steps: () =>
        patiently([
            {
                content: "The violations graph's vertical axis counts in whole numbers",
                trigger: ".o_graph_renderer canvas",
                async run() {
                    const canvas = document.querySelector(".o_graph_renderer canvas");
                    await waitFor(() => window.Chart?.getChart(canvas)?.scales?.y, "the chart");
                    const labels = window.Chart.getChart(canvas).scales.y.ticks.map(
                        (tick) => tick.label
                    );
                    if (!labels.length || !labels.every((label) => /^\d+$/.test(label))) {
                        throw new Error(`Axis labels ${JSON.stringify(labels)}`);
                    }
                },
            },
        ]),
});
