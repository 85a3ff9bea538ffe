import { Construct } from 'constructs';
import { Connections, IConnectable } from '../core/connections';
import { ComponentResources } from '../core/resources';
import { DifyWorkload } from '../core/workload';
import { DifyApiProps, apiServerWorkload } from './api';
import { guardProps } from '../core/guard';

/** Props of {@link DifyApiWebsocket}: those of the api (same image and config; give the config `features.collaboration: true`). */
export type DifyApiWebsocketProps = DifyApiProps;

/**
 * The workflow collaboration websocket (upstream's `api_websocket`): the api
 * image in MODE=api under gunicorn's geventwebsocket worker, serving Socket.IO
 * on 5001 at `/socket.io/`. It shares SECRET_KEY (session tokens), the
 * database and Redis with api; it does not get the sandbox, plugin daemon or
 * agent keys, and reaches only the stores and file storage.
 *
 * Replicas scale freely: Dify's browser client uses the websocket transport
 * only (no long-polling, so no sticky sessions), and the server broadcasts
 * through a Redis pub/sub manager shared by every pod.
 *
 * @example
 * const ws = new DifyApiWebsocket(chart, 'ApiWebsocket', { instance: 'dify', config, options: { replicas: 2 } });
 */
export class DifyApiWebsocket extends Construct implements IConnectable {
  /** Default container resources. */
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
  /** Port the websocket listens on. */
  public static readonly PORT = 5001;

  public readonly workload: DifyWorkload;
  /** Service host name. */
  public readonly host: string;
  public readonly port = DifyApiWebsocket.PORT;

  constructor(scope: Construct, id: string, props: DifyApiWebsocketProps) {
    super(scope, id);
    guardProps('DifyApiWebsocketProps', props);
    this.workload = apiServerWorkload(this, props, { component: 'api-websocket', mode: 'api-websocket', resources: DifyApiWebsocket.DEFAULT_RESOURCES });
    this.host = this.workload.name;
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
