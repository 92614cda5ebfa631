// Command gopeer is a hashicorp/memberlist member used by SwiftLB's interop tests and
// gossip benchmark. It is built from Debian's golang-github-hashicorp-memberlist-dev
// (v0.2.2):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o .build/gopeer/gopeer ./Tests/GoPeer
//
// It prints one JSON line per membership event, in the same schema as `swiftlb members`:
//
//	{"event":"join|update|dead|leave","node":"n1","addr":"127.0.0.1:7001","meta":"…","time":"…"}
//
// plus {"event":"ready",…} once it listens, {"event":"user","data":"…"} per received user
// message, {"event":"state","data":"…","join":bool} per merged push/pull user state, and with
// -report-pings {"event":"ping","node":"n1","rttMicroseconds":N,"data":"…"} per
// PingDelegate.NotifyPingComplete (data = the ack payload, absent when nil). -ack-payload TEXT
// makes PingDelegate.AckPayload return TEXT.
// memberlist's EventDelegate has no suspect notification, so the Go peer never prints
// "suspect".
//
// Commands on stdin, one per line:
//
//	user NODE TEXT       best-effort (UDP) user message to NODE
//	reliable NODE TEXT   reliable (TCP) user message to NODE
//	broadcast TEXT       user message piggybacked on gossip to everyone
//	members              prints {"event":"members","members":[…]}
//	leave                Leave(1 s), Shutdown, exit 0 (SIGTERM/SIGINT do the same)
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/hashicorp/memberlist"
)

var out = struct {
	sync.Mutex
	enc *json.Encoder
}{enc: json.NewEncoder(os.Stdout)}

func emit(v map[string]interface{}) {
	v["time"] = time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	out.Lock()
	defer out.Unlock()
	_ = out.enc.Encode(v)
}

type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part != "" {
			*m = append(*m, part)
		}
	}
	return nil
}

// events turns memberlist's EventDelegate callbacks into JSON lines. NotifyLeave fires both
// for a graceful leave (state left) and for a node declared dead.
type events struct{}

func nodeLine(event string, n *memberlist.Node) map[string]interface{} {
	return map[string]interface{}{
		"event": event,
		"node":  n.Name,
		"addr":  net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port))),
		"meta":  string(n.Meta),
	}
}

func (events) NotifyJoin(n *memberlist.Node)   { emit(nodeLine("join", n)) }
func (events) NotifyUpdate(n *memberlist.Node) { emit(nodeLine("update", n)) }
func (events) NotifyLeave(n *memberlist.Node) {
	if leaveState(n) == memberlist.StateLeft {
		emit(nodeLine("leave", n))
	} else {
		emit(nodeLine("dead", n))
	}
}

// nodeStateLayout mirrors memberlist v0.2.2's private nodeState, whose first field is the
// embedded Node. v0.2.2 passes &state.Node to NotifyLeave but never fills Node.State (a
// later release does), so the only way to tell "left" from "dead" there is to read the
// State field that follows the embedded Node.
type nodeStateLayout struct {
	memberlist.Node
	Incarnation uint32
	State       memberlist.NodeStateType
	StateChange time.Time
}

func leaveState(n *memberlist.Node) memberlist.NodeStateType {
	if n.State != memberlist.StateAlive {
		return n.State
	}
	return (*nodeStateLayout)(unsafe.Pointer(n)).State
}

// delegate supplies metadata, receives user messages and exchanges push/pull user state.
type delegate struct {
	name       string
	meta       []byte
	broadcasts *memberlist.TransmitLimitedQueue
}

func (d *delegate) NodeMeta(limit int) []byte { return d.meta }
func (d *delegate) NotifyMsg(b []byte) {
	emit(map[string]interface{}{"event": "user", "data": string(b)})
}
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.broadcasts.GetBroadcasts(overhead, limit)
}
func (d *delegate) LocalState(join bool) []byte { return []byte("state-of-" + d.name) }
func (d *delegate) MergeRemoteState(buf []byte, join bool) {
	if len(buf) == 0 {
		return
	}
	emit(map[string]interface{}{"event": "state", "data": string(buf), "join": join})
}

// pings is memberlist's PingDelegate: the payload of our acks, and a JSON line per completed
// probe when asked to report them.
type pings struct {
	payload []byte
	report  bool
}

func (p pings) AckPayload() []byte { return p.payload }
func (p pings) NotifyPingComplete(other *memberlist.Node, rtt time.Duration, payload []byte) {
	if !p.report {
		return
	}
	line := map[string]interface{}{"event": "ping", "node": other.Name, "rttMicroseconds": rtt.Microseconds()}
	if payload != nil {
		line["data"] = string(payload)
	}
	emit(line)
}

type userBroadcast []byte

func (b userBroadcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b userBroadcast) Message() []byte                       { return b }
func (b userBroadcast) Finished()                             {}

// metalLBKey reproduces MetalLB's speaker: it calls Sum(secret) on an unused SHA-256,
// which appends SHA-256("") to the secret bytes, and keeps the first 32 bytes.
func metalLBKey(secret []byte) []byte {
	return sha256.New().Sum(secret)[:32]
}

// readSecret reads PATH, or PATH/secretkey when PATH is a directory (MetalLB's mount).
func readSecret(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		path = filepath.Join(path, "secretkey")
	}
	return ioutil.ReadFile(path)
}

func main() {
	name := flag.String("name", "", "node name")
	bind := flag.String("bind", "127.0.0.1:7946", "bind address ADDR:PORT (UDP and TCP)")
	var joins multiFlag
	flag.Var(&joins, "join", "seed ADDR:PORT (repeatable or comma separated)")
	secretPath := flag.String("secret-key-path", "", "file with the secret, or directory holding `secretkey`")
	profile := flag.String("profile", "lan", "lan | fast")
	meta := flag.String("meta", "", "node metadata")
	verbose := flag.Bool("v", false, "memberlist logs to stderr")
	ackPayload := flag.String("ack-payload", "", "payload of the acks to UDP pings (PingDelegate.AckPayload); empty = nil")
	reportPings := flag.Bool("report-pings", false, "print a ping line per NotifyPingComplete")
	flag.Parse()
	if *name == "" {
		fmt.Fprintln(os.Stderr, "gopeer: -name is required")
		os.Exit(2)
	}

	host, portText, err := net.SplitHostPort(*bind)
	if err != nil {
		log.Fatalf("gopeer: bad -bind: %v", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		log.Fatalf("gopeer: bad -bind port: %v", err)
	}

	config := memberlist.DefaultLANConfig()
	switch *profile {
	case "lan":
	case "fast":
		applyFastProfile(config)
	default:
		log.Fatalf("gopeer: unknown profile %q", *profile)
	}
	config.Name = *name
	config.BindAddr = host
	config.BindPort = port
	config.AdvertiseAddr = host
	config.AdvertisePort = port
	config.Events = events{}
	d := &delegate{name: *name, meta: []byte(*meta)}
	config.Delegate = d
	if *ackPayload != "" || *reportPings {
		p := pings{report: *reportPings}
		if *ackPayload != "" {
			p.payload = []byte(*ackPayload)
		}
		config.Ping = p
	}
	if *verbose {
		config.LogOutput = os.Stderr
	} else {
		config.LogOutput = io.Discard
	}
	if *secretPath != "" {
		secret, err := readSecret(*secretPath)
		if err != nil {
			log.Fatalf("gopeer: secret: %v", err)
		}
		if len(secret) > 0 {
			config.SecretKey = metalLBKey(secret)
		}
	}

	list, err := memberlist.Create(config)
	if err != nil {
		log.Fatalf("gopeer: create: %v", err)
	}
	d.broadcasts = &memberlist.TransmitLimitedQueue{NumNodes: list.NumMembers, RetransmitMult: config.RetransmitMult}
	emit(map[string]interface{}{"event": "ready", "node": *name, "addr": *bind})

	if len(joins) > 0 {
		// Retry like MetalLB does (it re-joins every minute); here every 500 ms for 30 s.
		go func() {
			for attempt := 0; attempt < 60; attempt++ {
				n, err := list.Join(joins)
				if err == nil && n > 0 {
					emit(map[string]interface{}{"event": "joined", "node": *name, "contacted": n})
					return
				}
				time.Sleep(500 * time.Millisecond)
			}
			emit(map[string]interface{}{"event": "join-failed", "node": *name})
		}()
	}

	done := make(chan struct{})
	var once sync.Once
	leave := func() {
		once.Do(func() {
			_ = list.Leave(time.Second)
			_ = list.Shutdown()
			emit(map[string]interface{}{"event": "exit", "node": *name})
			close(done)
		})
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		leave()
	}()

	go func() {
		scanner := bufio.NewScanner(os.Stdin)
		for scanner.Scan() {
			handleCommand(list, d, strings.TrimSpace(scanner.Text()), leave)
		}
	}()

	<-done
}

func findNode(list *memberlist.Memberlist, name string) *memberlist.Node {
	for _, n := range list.Members() {
		if n.Name == name {
			return n
		}
	}
	return nil
}

func handleCommand(list *memberlist.Memberlist, d *delegate, line string, leave func()) {
	fields := strings.SplitN(line, " ", 3)
	switch fields[0] {
	case "":
	case "leave":
		go leave()
	case "members":
		var members []map[string]interface{}
		for _, n := range list.Members() {
			members = append(members, nodeLine("member", n))
		}
		emit(map[string]interface{}{"event": "members", "members": members})
	case "broadcast":
		if len(fields) >= 2 {
			d.broadcasts.QueueBroadcast(userBroadcast(strings.TrimPrefix(line, "broadcast ")))
		}
	case "user", "reliable":
		if len(fields) != 3 {
			emit(map[string]interface{}{"event": "error", "data": "usage: user|reliable NODE TEXT"})
			return
		}
		node := findNode(list, fields[1])
		if node == nil {
			emit(map[string]interface{}{"event": "error", "data": "unknown node " + fields[1]})
			return
		}
		var err error
		if fields[0] == "user" {
			err = list.SendBestEffort(node, []byte(fields[2]))
		} else {
			err = list.SendReliable(node, []byte(fields[2]))
		}
		if err != nil {
			emit(map[string]interface{}{"event": "error", "data": err.Error()})
		}
	default:
		emit(map[string]interface{}{"event": "error", "data": "unknown command " + fields[0]})
	}
}

// applyFastProfile sets SwiftLB's `fast` profile (GossipSettings.fast in Sources/Gossip):
// sub-second detection on a healthy LAN. The values must match the Swift profile.
func applyFastProfile(c *memberlist.Config) {
	c.ProbeInterval = 80 * time.Millisecond
	c.ProbeTimeout = 40 * time.Millisecond
	c.IndirectChecks = 3
	c.SuspicionMult = 3
	c.SuspicionMaxTimeoutMult = 3
	c.RetransmitMult = 4
	c.GossipInterval = 20 * time.Millisecond
	c.GossipNodes = 3
	c.GossipToTheDeadTime = 10 * time.Second
	c.PushPullInterval = 10 * time.Second
	c.TCPTimeout = 2 * time.Second
	c.AwarenessMaxMultiplier = 8
}
