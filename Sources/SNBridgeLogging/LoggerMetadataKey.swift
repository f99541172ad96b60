/// Every metadata key snbridge's log lines carry, in one list (as postgres-nio's `PSQLConnection.LoggerMetaDataKey`
/// is for its driver): one spelling and one meaning for each, in every module. `LoggerMetadataKeyTests` reads the
/// sources and fails on a key logged anywhere that is not listed here, so a new key starts here, with what it means.
///
/// Keys are dotted, `<thing>.<attribute>`. The identity of a serial device is always `device.id` (its port
/// identity: `usb-...`, `path-...`, `serial-...`); what a board says about itself in HELLO is `device.hello_id`.
public enum LoggerMetadataKey: String, CaseIterable, Sendable {
    // MARK: The bridge process
    /// snbridge's version.
    case snbridgeVersion = "snbridge.version"
    /// The part of the bridge a logger belongs to (`discovery`).
    case snbridgeComponent = "snbridge.component"
    /// The soft open-file limit in force after `run` raised it.
    case processOpenFilesLimit = "process.open_files_limit"
    /// How often the systemd watchdog is pinged.
    case systemdWatchdogPingInterval = "systemd.watchdog.ping_interval"
    /// The monitoring HTTP listener's configured address (`http.listen`).
    case httpListen = "http.listen"
    /// The address the monitoring HTTP listener is bound to.
    case httpAddress = "http.address"

    // MARK: The session store
    /// The session store's database file.
    case storeFile = "store.file"
    /// How many commits the store made.
    case storeCommits = "store.commits"
    /// How many commits failed (in a row, or in all).
    case storeFailedCommits = "store.failed_commits"
    /// Where an unreadable store file was moved aside to.
    case storeMovedTo = "store.moved_to"
    /// How many stored records could not be read and were skipped.
    case storeSkippedRecords = "store.skipped_records"
    /// How many sessions the store held.
    case storeSessions = "store.sessions"
    /// How many messages from a broker outage the store held.
    case storeOutageMessages = "store.outage_messages"
    /// The store's SQLite synchronous mode.
    case storeSynchronous = "store.synchronous"

    // MARK: Errors
    /// What went wrong, as a sentence.
    case errorDescription = "error.description"
    /// The errno of a failed system call.
    case errorErrno = "error.errno"
    /// How long until the next attempt, in milliseconds.
    case retryDelayMilliseconds = "retry.delay_ms"

    // MARK: The upstream broker and MQTT
    /// The broker's host name or address.
    case brokerHost = "broker.host"
    /// The broker's TCP port.
    case brokerPort = "broker.port"
    /// Whether the broker connection uses TLS.
    case brokerTLS = "broker.tls"
    /// An MQTT topic name.
    case mqttTopic = "mqtt.topic"
    /// The return code (3.1.1) or reason code (5.0) of a CONNACK.
    case mqttReturnCode = "mqtt.return_code"
    /// The CONNACK's session-present flag.
    case mqttSessionPresent = "mqtt.session_present"
    /// Whether the MQTT connection's channel is writable.
    case mqttWritable = "mqtt.writable"
    /// Whether an MQTT connection was closed gracefully (with DISCONNECT).
    case mqttGraceful = "mqtt.graceful"
    /// The number of a reconnect attempt.
    case mqttAttempt = "mqtt.attempt"
    /// The delay before a reconnect attempt.
    case mqttDelay = "mqtt.delay"
    /// The name of an MQTT packet (`PUBLISH`, `SUBACK`...).
    case packetType = "packet.type"
    /// The MQTT client id of a client's upstream session.
    case upstreamClientID = "upstream.client_id"
    /// The MQTT-SN return code sent in a CONNACK.
    case connackReturnCode = "connack.return_code"
    /// The topic prefix of the status topics.
    case statusTopicPrefix = "status.topic_prefix"
    /// The status session's MQTT client id.
    case statusClientID = "status.client_id"
    /// How many times the broker dropped the status session within `status.window_s`.
    case statusLosses = "status.losses"
    /// The span, in seconds, over which status session losses are counted.
    case statusWindowSeconds = "status.window_s"

    // MARK: The MQTT-SN gateway
    /// The gateway id (GWINFO, ADVERTISE).
    case gatewayID = "gateway.id"
    /// `gateway.max_clients`.
    case gatewayMaxClients = "gateway.max_clients"
    /// `gateway.downlink_queue`: how many messages one client's downlink queue holds.
    case gatewayDownlinkQueue = "gateway.downlink_queue"
    /// One MQTT-SN listener's address.
    case listenerAddress = "listener.address"
    /// Every MQTT-SN listener's address.
    case listenerAddresses = "listener.addresses"
    /// A UDP socket's bound address.
    case udpAddress = "udp.address"
    /// A multicast group joined for discovery, with its port (`udp.multicast[].group`, `.port`).
    case multicastGroup = "multicast.group"
    /// The network interface a multicast group is joined on (`udp.multicast[].interface`).
    case multicastInterface = "multicast.interface"
    /// Every multicast group joined, as `group:port%interface`.
    case multicastGroups = "multicast.groups"
    /// An ADVERTISE destination (`udp.advertise.addresses` entry) no UDP socket of the gateway can reach.
    case advertiseDestination = "advertise.destination"
    /// An MQTT-SN client id.
    case clientID = "client.id"
    /// The client id a session had before.
    case clientPreviousID = "client.previous_id"
    /// A client's keepalive, in seconds.
    case clientKeepalive = "client.keepalive"
    /// The largest MQTT-SN message a client can take, in octets.
    case clientMaxPacketSize = "client.max_packet_size"
    /// Why a client's session was lost (keepalive, retries exhausted, link lost...).
    case clientLossReason = "client.loss_reason"
    /// The address an MQTT-SN datagram or serial message came from (`udp:...`, `serial:...`).
    case peerAddress = "peer.address"
    /// The address a client had before it moved.
    case peerPreviousAddress = "peer.previous_address"
    /// The type of an MQTT-SN message.
    case messageType = "message.type"
    /// The size of an MQTT-SN message, in octets.
    case messageSize = "message.size"
    /// The QoS of a message (-1, 0, 1, 2).
    case messageQoS = "message.qos"
    /// An MQTT-SN topic id.
    case topicID = "topic.id"
    /// An MQTT-SN topic name.
    case topicName = "topic.name"
    /// How many warnings of a kind a throttle held back.
    case malformedSuppressed = "malformed.suppressed"
    /// How many messages were dropped so far.
    case droppedTotal = "dropped.total"
    /// Why a message was dropped (the `reason` label of `snbridge_messages_dropped_total`).
    case dropReason = "drop.reason"
    /// How many drop warnings of a kind a throttle held back.
    case dropSuppressed = "drop.suppressed"
    /// Why a message was refused (the `reason` label of `snbridge_messages_refused_total`), or a CONNECT (the
    /// `reason` label of `snbridge_connections_rejected_total`).
    case refusalReason = "refusal.reason"
    /// What the refused client was answered (a return code, DISCONNECT).
    case refusalAnswer = "refusal.answer"
    /// How many refusal log lines of a kind a throttle held back.
    case refusalSuppressed = "refusal.suppressed"
    /// How many QoS 1/2 exchanges were unfinished at shutdown.
    case sessionsUnfinished = "sessions.unfinished"
    /// How many stored sessions the gateway restored at start.
    case sessionsRestored = "sessions.restored"
    /// How many stored sessions could not be read and were discarded at start.
    case sessionsDiscarded = "sessions.discarded"
    /// How many restored sessions wait for their client (clean session off, disconnected).
    case sessionsWaiting = "sessions.waiting"
    /// How long restoring the stored sessions took, in milliseconds.
    case storeRestoreMilliseconds = "store.restore_ms"
    /// How many messages a log line is about (buffered messages acknowledged upstream once stored).
    case messagesCount = "messages.count"

    // MARK: Security
    /// The client identity policy in force (`gateway.authentication`: open, allowlist, dtls).
    case gatewayAuthentication = "gateway.authentication"
    /// What a CONNECT refusal's reason means, in words.
    case refusalExplanation = "refusal.explanation"
    /// What the topic ACL refused: publish, subscribe, register, will or deliver.
    case aclOperation = "acl.operation"
    /// How many topic ACL refusal lines a throttle held back.
    case aclSuppressed = "acl.suppressed"
    /// How many lines about messages held back from an unconfirmed client address a throttle held back.
    case budgetSuppressed = "budget.suppressed"
    /// Every DTLS listener's address.
    case dtlsAddresses = "dtls.addresses"
    /// The identities a DTLS peer authenticated as (PSK identity, certificate CN and DNS SANs).
    case dtlsNames = "dtls.names"

    // MARK: Serial devices and discovery
    /// A device's identity (`usb-10c4:ea60-0001A2B3-if00`, `path-...`, `serial-dev_ttyAMA0`).
    case deviceID = "device.id"
    /// The device id a board announced in HELLO (its chip id or MAC).
    case deviceHelloID = "device.hello_id"
    /// The tty path.
    case devicePath = "device.path"
    /// The device's sysfs path.
    case deviceSyspath = "device.syspath"
    /// The firmware name and version from HELLO.
    case deviceFirmware = "device.firmware"
    /// The largest frame the board accepts, from HELLO.
    case deviceMaxFrame = "device.max_frame"
    /// The discovery rule that matched the device.
    case deviceRule = "device.rule"
    /// The device's link state (`linked`, `lost`...).
    case deviceState = "device.state"
    /// Why a device is in the `error` state.
    case deviceError = "device.error"
    /// One line a board printed outside frames.
    case consoleLine = "console.line"
    /// USB vendor:product.
    case usbID = "usb.id"
    /// USB vendor id.
    case usbVendorID = "usb.vid"
    /// USB product id.
    case usbProductID = "usb.pid"
    /// USB serial number.
    case usbSerial = "usb.serial"
    /// A serial port's baud rate.
    case serialBaud = "serial.baud"
    /// A serial port's framing (`snbridge`, `raw`).
    case serialFraming = "serial.framing"
    /// How long a lost serial link's sessions are kept for the board to come back, in milliseconds.
    case serialSessionGraceMilliseconds = "serial.session_grace_ms"
    /// Why a serial link went down.
    case linkLossReason = "link.loss_reason"
    /// The frame size the link agreed on.
    case linkMaxFrame = "link.max_frame"
    /// Why a link was rejected.
    case linkRejectReason = "link.reject.reason"
    /// The protocol versions a board offered.
    case linkVersions = "link.versions"
    /// What was wrong with a dropped frame.
    case frameError = "frame.error"
    /// The udev subsystem watched.
    case udevSubsystem = "udev.subsystem"
    /// poll(2)'s revents on the udev monitor.
    case pollRevents = "poll.revents"
    /// How many discovery rules are configured.
    case discoveryRules = "discovery.rules"
    /// Whether the built-in discovery rules are on.
    case discoveryBuiltinDefaults = "discovery.builtin_defaults"
}
