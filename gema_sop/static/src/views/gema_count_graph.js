import { registry } from "@web/core/registry";
import { graphView } from "@web/views/graph/graph_view";
import { GraphRenderer } from "@web/views/graph/graph_renderer";

/**
 * Odoo 18's graph formats the vertical axis as decimals whatever the
 * measure ("6,00", "0,50" for a count of violations): its tick callback
 * ignores that counts are whole numbers. For a count or an integer measure
 * this renderer asks Chart.js for whole-number steps and writes them as
 * integers; other measures keep Odoo's axis.
 */
export class GemaCountGraphRenderer extends GraphRenderer {
    getScaleOptions() {
        const scales = super.getScaleOptions();
        const { fieldAttrs, fields, measure } = this.model.metaData;
        if (scales.y && (measure === "__count" || fields[measure]?.type === "integer")) {
            scales.y.ticks = {
                ...scales.y.ticks,
                precision: 0,
                callback: (value) => this.formatValue(value, true, fieldAttrs[measure]?.widget),
            };
        }
        return scales;
    }
}

registry.category("views").add("gema_count_graph", {
    ...graphView,
    Renderer: GemaCountGraphRenderer,
});
