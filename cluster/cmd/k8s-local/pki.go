package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runPKI writes everything the local control plane needs to authenticate:
//
//	ca.crt/ca.key                  cluster CA (also --client-ca-file)
//	apiserver.crt/apiserver.key    serving certificate for 127.0.0.1/localhost
//	sa.key/sa.pub                  service-account token signing key pair
//	<name>.crt/<name>.key          client certificates, one per --client
//
// --client takes name=CN[/O[,O...]], e.g. admin=cdk8s-argocd-admin/system:masters.
// Existing files are kept, so running it again is a no-op.
func runPKI(args []string) int {
	fs := flag.NewFlagSet("pki", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory to write the PKI into (required)")
	serviceIP := fs.String("service-ip", "10.0.0.1", "first IP of the service CIDR (the kubernetes Service)")
	var clients multiFlag
	fs.Var(&clients, "client", "client certificate to write: name=CN[/O1,O2] (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "pki: --dir is required")
		return 2
	}
	if err := writePKI(*dir, *serviceIP, clients); err != nil {
		fmt.Fprintf(os.Stderr, "pki: %v\n", err)
		return 1
	}
	return 0
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func writePKI(dir, serviceIP string, clients []string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	now := time.Now().Add(-time.Hour)
	until := now.Add(10 * 365 * 24 * time.Hour)

	caCert, caKey, err := loadOrCreate(dir, "ca", func(key crypto.Signer) (*x509.Certificate, []byte, error) {
		tmpl := &x509.Certificate{
			SerialNumber:          serial(),
			Subject:               pkix.Name{CommonName: "cdk8s-argocd-local-ca"},
			NotBefore:             now,
			NotAfter:              until,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			return nil, nil, err
		}
		c, err := x509.ParseCertificate(der)
		return c, der, err
	})
	if err != nil {
		return err
	}
	sign := func(tmpl *x509.Certificate) func(key crypto.Signer) (*x509.Certificate, []byte, error) {
		return func(key crypto.Signer) (*x509.Certificate, []byte, error) {
			der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), caKey)
			if err != nil {
				return nil, nil, err
			}
			c, err := x509.ParseCertificate(der)
			return c, der, err
		}
	}

	ips := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	if ip := net.ParseIP(serviceIP); ip != nil {
		ips = append(ips, ip)
	}
	if _, _, err := loadOrCreate(dir, "apiserver", sign(&x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now,
		NotAfter:     until,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"},
		IPAddresses: ips,
	})); err != nil {
		return err
	}

	for _, spec := range clients {
		name, rest, ok := strings.Cut(spec, "=")
		if !ok || name == "" || rest == "" {
			return fmt.Errorf("bad --client %q, want name=CN[/O1,O2]", spec)
		}
		cn, orgs, _ := strings.Cut(rest, "/")
		var o []string
		if orgs != "" {
			o = strings.Split(orgs, ",")
		}
		if _, _, err := loadOrCreate(dir, name, sign(&x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: cn, Organization: o},
			NotBefore:    now,
			NotAfter:     until,
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		})); err != nil {
			return err
		}
	}

	// Service-account token signing key pair.
	if !exists(filepath.Join(dir, "sa.key")) || !exists(filepath.Join(dir, "sa.pub")) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		if err := writeKey(filepath.Join(dir, "sa.key"), key); err != nil {
			return err
		}
		pub, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, "sa.pub"), "PUBLIC KEY", pub, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func loadOrCreate(dir, name string, create func(crypto.Signer) (*x509.Certificate, []byte, error)) (*x509.Certificate, crypto.Signer, error) {
	certPath, keyPath := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if exists(certPath) && exists(keyPath) {
		cert, key, err := load(certPath, keyPath)
		if err != nil {
			return nil, nil, fmt.Errorf("loading %s: %w", name, err)
		}
		return cert, key, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	cert, der, err := create(key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating %s: %w", name, err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return nil, nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func load(certPath, keyPath string) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, fmt.Errorf("no PEM data")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(err)
	}
	return n
}
