import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Client, NodeImgurAuth } from "@imgur-auth/node"

// The platform's undici client instead of NodeUndiciClient, the default.
export const Live = NodeImgurAuth.layer({ clientId: "43652b743b5a7a0", httpClient: NodeHttpClient.layerUndici })
export const client = new Client({ client_id: "43652b743b5a7a0", http_client: NodeHttpClient.layerUndici })
