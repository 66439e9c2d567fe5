/** TCP sockets and the kernel's network tools as plain records (no prom-client here). */
export { formatIpv6, TCP_STATES, type TcpSocket, type TcpState } from './tcp-socket';
export { tcpTableUnavailable, TcpTableReader } from './tcp-reader';
export { scanTcpTable, TcpRow, STATE_CLOSE, STATE_LISTEN } from './tcp-scan';
export { parseConntrackNew, type ConntrackNew } from './conntrack-event';
export { ConntrackFollower, conntrackUnavailable, CONNTRACK_ARGS, type ConntrackEvents } from './conntrack';
export { interfaceAddresses } from './interfaces';
export { blockScript, nft, nftSync, nftTableExists, NFT_TABLE, tableScript } from './nft';
