import { registry } from "@web/core/registry";

/**
 * CS-2, CS-4: a customer's WhatsApp message reaches the conversation's
 * officer as an inbox notification (``mail.message/inbox``); Odoo puts it
 * in the inbox only. Here it also joins the conversation's chatter when it
 * is open (its thread loaded), so the officer sees it without reloading.
 */
export const gemaLiveThreadService = {
    dependencies: ["bus_service", "mail.store"],
    start(env, { bus_service: busService, "mail.store": store }) {
        busService.subscribe("mail.message/inbox", (payload) => {
            const { Message: messages = [] } = store.insert(payload, { html: true });
            for (const message of messages) {
                const thread = message.thread;
                if (thread?.model === "gema.conversation" && thread.isLoaded) {
                    thread.messages.add(message);
                }
            }
        });
    },
};

registry.category("services").add("gema_sop.live_thread", gemaLiveThreadService);
