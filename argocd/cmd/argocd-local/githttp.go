package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cgi"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runGitHTTP serves local Git repositories over Git's smart HTTP protocol
// (`git http-backend`, the CGI program that ships with Git, behind
// net/http/cgi), under the URLs the Applications name in `repoURL`.
//
// It is an HTTP proxy: the repo-server is started with HTTPS_PROXY/HTTP_PROXY
// pointing here, so both of Argo CD's Git clients (go-git for ls-remote, the
// git CLI for fetch/checkout) reach it for any repoURL, unchanged. For https
// URLs it answers CONNECT with TLS under a certificate for the requested host,
// signed by a CA made at start-up (written to -ca-file; the caller puts it
// where Argo CD looks for a Git host's certificates). A request for a URL that
// is not one of the -repo mappings gets 404 with a message saying so: nothing
// ever leaves the machine.
func runGitHTTP(args []string) int {
	fs := flag.NewFlagSet("git-http", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	addrFile := fs.String("addr-file", "", "write the address actually listened on to this file")
	caFile := fs.String("ca-file", "", "write the PEM certificate of the CA signing the per-host certificates to this file")
	var repos repoFlags
	fs.Var(&repos, "repo", "URL=DIR: serve the Git repository in DIR (a work tree or a bare repository) as URL (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if len(repos) == 0 {
		fmt.Fprintln(os.Stderr, "git-http: at least one -repo URL=DIR is required")
		return 2
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		fmt.Fprintln(os.Stderr, "git-http: git not found on PATH")
		return 1
	}
	ca, err := newCA()
	if err != nil {
		fmt.Fprintf(os.Stderr, "git-http: %v\n", err)
		return 1
	}
	if *caFile != "" {
		if err := os.WriteFile(*caFile, ca.certPEM, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "git-http: %v\n", err)
			return 1
		}
	}
	p := &gitProxy{git: gitPath, repos: repos, ca: ca}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "git-http: listen on %s: %v\n", *addr, err)
		return 1
	}
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "git-http: %v\n", err)
			return 1
		}
	}
	for _, r := range repos {
		fmt.Fprintf(os.Stderr, "git-http: serving %s as %s (proxy http://%s)\n", r.dir, r.url, ln.Addr())
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "git-http: %v\n", err)
		return 1
	}
	return 0
}

type repoMapping struct {
	url  string
	host string // lower case, with the port if the URL has one
	path string // without a trailing "/" or ".git"
	dir  string
}

type repoFlags []repoMapping

func (r *repoFlags) String() string { return fmt.Sprint(*r) }

func (r *repoFlags) Set(v string) error {
	i := strings.LastIndex(v, "=")
	if i < 0 {
		return fmt.Errorf("want URL=DIR, got %q", v)
	}
	u, err := url.Parse(v[:i])
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an http(s) URL", v[:i])
	}
	dir, err := filepath.Abs(v[i+1:])
	if err != nil {
		return err
	}
	*r = append(*r, repoMapping{url: v[:i], host: strings.ToLower(u.Host), path: trimRepoPath(u.Path), dir: dir})
	return nil
}

// trimRepoPath makes ".../repo", ".../repo/" and ".../repo.git" one repository,
// as Argo CD's own URL normalization does.
func trimRepoPath(p string) string {
	p = strings.TrimSuffix(p, "/")
	return strings.ToLower(strings.TrimSuffix(p, ".git"))
}

type gitProxy struct {
	git   string
	repos []repoMapping
	ca    *certAuthority
}

func (p *gitProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.serveConnect(w, r)
		return
	}
	// A proxied plain-HTTP request carries the absolute URL.
	p.serveGit(w, r, r.URL.Host)
}

// serveConnect terminates the tunnel's TLS itself and serves the requests
// inside it.
func (p *gitProxy) serveConnect(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "hijacking not supported", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		return
	}
	tlsConn := tls.Server(&bufferedConn{Conn: conn, r: buf.Reader}, &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name, _, _ = net.SplitHostPort(host)
			}
			return p.ca.leaf(name)
		},
	})
	inner := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.serveGit(w, r, host)
		}),
		ReadHeaderTimeout: 30 * time.Second,
	}
	_ = inner.Serve(newOneConnListener(tlsConn))
}

func (p *gitProxy) serveGit(w http.ResponseWriter, r *http.Request, host string) {
	host = strings.ToLower(host)
	reqPath := strings.ToLower(r.URL.Path)
	for _, m := range p.repos {
		if !sameHost(host, m.host) {
			continue
		}
		for _, prefix := range []string{m.path + ".git", m.path} {
			if reqPath == prefix || strings.HasPrefix(reqPath, prefix+"/") {
				rest := r.URL.Path[len(prefix):]
				p.cgi(m).ServeHTTP(w, withPath(r, "/"+filepath.Base(m.dir)+rest))
				return
			}
		}
	}
	http.Error(w, fmt.Sprintf("cdk8s-argocd local Git: %s%s is not a repository served here (serving: %s)",
		host, r.URL.Path, p.servedURLs()), http.StatusNotFound)
}

func (p *gitProxy) servedURLs() string {
	urls := make([]string, len(p.repos))
	for i, m := range p.repos {
		urls[i] = m.url
	}
	return strings.Join(urls, ", ")
}

func (p *gitProxy) cgi(m repoMapping) *cgi.Handler {
	return &cgi.Handler{
		Path: p.git,
		Args: []string{"http-backend"},
		Env: []string{
			// PATH_INFO is "/<basename of dir>/<git path>", so the project
			// root is dir's parent; only the mapped directory is reachable.
			"GIT_PROJECT_ROOT=" + filepath.Dir(m.dir),
			"GIT_HTTP_EXPORT_ALL=1",
			// The served repository belongs to whoever checked it out; Git's
			// ownership check (safe.directory) must not refuse to read it.
			"GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=safe.directory",
			"GIT_CONFIG_VALUE_0=*",
		},
		InheritEnv: []string{"PATH", "HOME"},
	}
}

func withPath(r *http.Request, p string) *http.Request {
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Host, u.Path, u.RawPath = "", "", p, ""
	r2.URL = &u
	r2.RequestURI = u.RequestURI()
	return r2
}

// sameHost compares host[:port], taking a missing port as the scheme default
// (CONNECT always names the port; a repoURL usually does not).
func sameHost(got, want string) bool {
	if got == want {
		return true
	}
	strip := func(h string) string {
		if hh, port, err := net.SplitHostPort(h); err == nil && (port == "443" || port == "80") {
			return hh
		}
		return h
	}
	return strip(got) == strip(want)
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// oneConnListener hands out a single connection, then blocks until that
// connection is closed, so an http.Server can serve one hijacked tunnel.
type oneConnListener struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
}

func newOneConnListener(c net.Conn) *oneConnListener {
	l := &oneConnListener{done: make(chan struct{})}
	l.conn = &closeNotifyConn{Conn: c, done: l.done}
	return l
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.conn })
	if c != nil {
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error   { return nil }
func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }

type closeNotifyConn struct {
	net.Conn
	once sync.Once
	done chan struct{}
}

func (c *closeNotifyConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.done) })
	return err
}

type certAuthority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	mu      sync.Mutex
	leaves  map[string]*tls.Certificate
}

func newCA() (*certAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "cdk8s-argocd local Git CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &certAuthority{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		leaves:  map[string]*tls.Certificate{},
	}, nil
}

func (ca *certAuthority) leaf(host string) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c, ok := ca.leaves[host]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}
	ca.leaves[host] = c
	return c, nil
}
