/** TCP sockets and the kernel's network tools as plain records (no prom-client here). */
export { formatIpv6, parseEndpoint, parseTcpLine, parseTcpTable, TCP_STATES, type TcpSocket, type TcpState } from './tcp-table';
