// The floor of the online-lookup benchmark: a grpc-go server that answers every unary call with the
// same pre-encoded response bytes (CANNED_RESPONSE, a real GetOnlineFeaturesResponse of 20 values)
// and does no other work. Under the same ghz load as the feature store, its p99 is what the load
// tool itself adds for a response of this size on this machine (ghz decodes each response into
// dynamic messages). Listens on 127.0.0.1:<first argument>; prints "ready" once listening.
package main

import (
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
)

type rawMessage struct{ bytes []byte }

// rawCodec passes message bytes through unparsed, in place of the proto codec.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*rawMessage).bytes, nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*rawMessage).bytes = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: canned-server <port> (response bytes from the file in CANNED_RESPONSE)")
		os.Exit(2)
	}
	canned, err := os.ReadFile(os.Getenv("CANNED_RESPONSE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		var request rawMessage
		if err := stream.RecvMsg(&request); err != nil {
			return err
		}
		return stream.SendMsg(&rawMessage{canned})
	}))
	fmt.Println("ready")
	if err := server.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
