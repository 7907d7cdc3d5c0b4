#!/usr/bin/env bash
# Real provisioning servers for the tests, on 127.0.0.1 high ports:
#   nginx     HTTP and HTTPS, basic auth (user PlcmSpIp / PlcmSpIp), PUT allowed, /moved/ 301 -> /
#   apache2   HTTP and HTTPS, Digest and Basic areas and redirects, as Debian ships it: see start_apache
#   vsftpd    FTP, implicit FTPS (also limited to TLS 1.2) and explicit FTPS, as Debian ships it (local user
#             certslotftp / PlcmSpIp); see vsftpd_conf
#   in.tftpd  TFTP (tftpd-hpa), with its RFC 2347 options and with them refused
#   proftpd, pure-ftpd, atftpd   unpacked by make deps into build/servers: see start_proftpd and the others
# all serving DIR/files (the same directory for every protocol).
#
#   prov-servers.sh start DIR PKI [NAME...]   starts them (or only the NAMEs: nginx vsftpd apache2 tftpd
#                                   proftpd pure-ftpd atftpd), writes DIR/ports.env
#                                   (HTTP_PORT HTTPS_PORT FTP_PORT FTPS_PORT FTPES_PORT FTPS12_PORT TFTP_PORT)
#   prov-servers.sh stop DIR        stops them
# A server that cannot start fails with the reason (exit 1); nothing is skipped.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PKI | stop DIR" >&2; exit 2; }

FTP_USER=certslotftp
PASSWORD=PlcmSpIp

stop() {
    for f in "$dir"/*.pid; do
        [ -e "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
        rm -f "$f"
    done
}

if [ "$cmd" = stop ]; then
    stop
    exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start DIR PKI | stop DIR" >&2; exit 2; }
pki=${3:?PKI directory}
for b in nginx vsftpd in.tftpd openssl; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
        { echo "prov-servers: $b is not installed (make deps installs it)" >&2; exit 1; }
done
export PATH=$PATH:/usr/sbin:/sbin

mkdir -p "$dir/files" "$dir/empty" "$dir/tmp"
chmod 777 "$dir/files"
chmod 755 "$dir" "$dir/empty"
cat "$pki/server.crt" "$pki/inter.crt" >"$dir/fullchain.pem"
cp "$pki/server.key" "$dir/server.key"
chmod 600 "$dir/server.key"
for u in PlcmSpIp "$FTP_USER"; do printf '%s:%s\n' "$u" "$(openssl passwd -apr1 "$PASSWORD")"; done >"$dir/htpasswd"
# The FTP user (not root) must be able to reach DIR/files: let it traverse DIR's parents (temp dirs are 0700).
p=$dir
while [ "$p" != / ] && [ -n "$p" ]; do
    [ -O "$p" ] && chmod o+x "$p"
    p=$(dirname "$p")
done

# The FTP login: a local user without a home or a login shell of its own.
if ! id "$FTP_USER" >/dev/null 2>&1; then
    useradd -M -d / -s /bin/sh "$FTP_USER" 2>/dev/null || id "$FTP_USER" >/dev/null ||
        { echo "prov-servers: cannot create the local user $FTP_USER (needs root)" >&2; exit 1; }
fi
# vsftpd enters the home first, then local_root: a home that always exists.
[ "$(getent passwd "$FTP_USER" | cut -d: -f6)" = / ] || usermod -d / "$FTP_USER"
echo "$FTP_USER:$PASSWORD" | chpasswd
grep -qx /bin/sh /etc/shells || echo /bin/sh >>/etc/shells

listening() { # proto port
    if [ "$1" = udp ]; then ss -lunH "sport = :$2" | grep -q .; else ss -ltnH "sport = :$2" | grep -q .; fi
}
free_port() { # proto
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        listening "$1" "$p" || { echo "$p"; return; }
    done
    echo "prov-servers: no free port" >&2
    exit 1
}
# wait_up NAME PID PROTO PORT...: 0 when all ports listen, 1 when the process died or 5 s passed.
wait_up() {
    local name=$1 pid=$2 proto=$3
    shift 3
    for _ in $(seq 250); do
        kill -0 "$pid" 2>/dev/null || return 1
        local all=1
        for p in "$@"; do listening "$proto" "$p" || all=0; done
        [ "$all" -eq 1 ] && return 0
        sleep 0.02
    done
    return 1
}

start_nginx() {
    for _ in 1 2 3 4 5; do
        HTTP_PORT=$(free_port tcp)
        HTTPS_PORT=$(free_port tcp)
        cat >"$dir/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        listen 127.0.0.1:$HTTPS_PORT ssl;
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; # as Debian's shipped nginx.conf sets it
        ssl_certificate $dir/fullchain.pem;
        ssl_certificate_key $dir/server.key;
        root $dir/files;
        auth_basic "provisioning";
        auth_basic_user_file $dir/htpasswd;
        location / { dav_methods PUT; dav_access user:rw group:rw all:rw; }
        location /moved/ { rewrite ^/moved/(.*)\$ /\$1 permanent; }
    }
}
CONF
        nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' >"$dir/nginx.out" 2>&1 &
        local pid=$!
        echo "$pid" >"$dir/nginx-main.pid"
        wait_up nginx "$pid" tcp "$HTTP_PORT" "$HTTPS_PORT" && return 0
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: nginx did not start: $(tail -3 "$dir/nginx-error.log" "$dir/nginx.out" 2>/dev/null)" >&2
    exit 1
}

# vsftpd as Debian ships it (/etc/vsftpd.conf), with only these changed: listening (address, port, in the
# foreground, passive ports), paths (files, logs, the empty chroot directory), the certificate, TLS switched on
# (ssl_enable=YES; implicit_ssl=YES for implicit FTPS) and write_enable=YES, which the log upload needs. Every other
# TLS setting is vsftpd's default, require_ssl_reuse=YES included.
vsftpd_conf() { # name port tls(0|implicit|explicit)
    local name=$1 port=$2 tls=$3 pmin=$((20000 + RANDOM % 40000))
    grep -vE '^[[:space:]]*(#|$)|^(listen|listen_ipv6|listen_address|listen_port|background|secure_chroot_dir|rsa_cert_file|rsa_private_key_file|ssl_enable|implicit_ssl|write_enable|xferlog_file|vsftpd_log_file|local_root|pasv_min_port|pasv_max_port|pasv_address|connect_from_port_20)=' \
        /etc/vsftpd.conf
    cat <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
pasv_address=127.0.0.1
pasv_min_port=$pmin
pasv_max_port=$((pmin + 20))
connect_from_port_20=NO
local_root=$dir/files
secure_chroot_dir=$dir/empty
xferlog_file=$dir/$name.xferlog
vsftpd_log_file=$dir/$name.log
rsa_cert_file=$dir/fullchain.pem
rsa_private_key_file=$dir/server.key
write_enable=YES
CONF
    case $tls in
        implicit) printf 'ssl_enable=YES\nimplicit_ssl=YES\n' ;;
        explicit) printf 'ssl_enable=YES\n' ;;
        *) printf 'ssl_enable=NO\n' ;;
    esac
}

start_vsftpd() { # name tls(0|implicit|explicit) [max TLS version: OpenSSL's MaxProtocol, e.g. TLSv1.2]
    local name=$1 tls=$2 max=${3:-} port
    if [ -n "$max" ]; then # the library's limit, for this process only: vsftpd has no setting for it
        printf 'openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nMaxProtocol = %s\n' "$max" \
            >"$dir/$name-openssl.cnf"
    fi
    for _ in 1 2 3 4 5; do
        port=$(free_port tcp)
        vsftpd_conf "$name" "$port" "$tls" >"$dir/$name.conf"
        if [ -n "$max" ]; then
            OPENSSL_CONF=$dir/$name-openssl.cnf vsftpd "$dir/$name.conf" >"$dir/$name.out" 2>&1 &
        else
            vsftpd "$dir/$name.conf" >"$dir/$name.out" 2>&1 &
        fi
        local pid=$!
        echo "$pid" >"$dir/$name.pid"
        if wait_up "$name" "$pid" tcp "$port"; then
            eval "${name^^}_PORT=$port"
            return 0
        fi
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: vsftpd ($name) did not start: $(cat "$dir/$name.out")" >&2
    exit 1
}

# Servers unpacked by make deps into build/servers (their packages conflict with vsftpd and tftpd-hpa).
unpacked=${CERTSLOT_SERVERS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/servers}
need_unpacked() {
    [ -x "$unpacked/usr/sbin/$1" ] || { echo "prov-servers: $unpacked/usr/sbin/$1 is missing (make deps)" >&2; exit 1; }
}

# proftpd as Debian ships it (its proftpd.conf and modules.conf templates), with mod_tls's defaults (session reuse
# required on data connections). Changed: the address and port, passive ports, paths (modules, logs, run files,
# no conf.d), the certificate, TLSEngine on with mod_tls loaded, User nobody (the package's own user is made by its
# install script, which does not run here) and AuthOrder mod_auth_unix.c (its PAM service file is not installed).
start_proftpd() {
    need_unpacked proftpd
    local t=$unpacked/usr/share/proftpd/templates pmin
    sed -e "s|^ModulePath .*|ModulePath $unpacked/usr/lib/proftpd|" -e 's|^#LoadModule mod_tls.c|LoadModule mod_tls.c|' \
        "$t/modules.conf" >"$dir/proftpd-modules.conf"
    for _ in 1 2 3 4 5; do
        PROFTPD_PORT=$(free_port tcp)
        pmin=$((20000 + RANDOM % 40000))
        sed -e "s|^Include /etc/proftpd/modules.conf|Include $dir/proftpd-modules.conf|" \
            -e 's|^UseIPv6 on|UseIPv6 off|' -e "s|^Port 21|Port $PROFTPD_PORT|" -e 's|^User proftpd|User nobody|' \
            -e "s|/var/log/proftpd/|$dir/proftpd-|" -e "s|/var/run/proftpd/|$dir/proftpd-|" \
            -e 's|^Include /etc/proftpd/conf.d/|# (no conf.d)|' "$t/proftpd.conf" >"$dir/proftpd.conf"
        cat >>"$dir/proftpd.conf" <<CONF
DefaultAddress 127.0.0.1
SocketBindTight on
PassivePorts $pmin $((pmin + 20))
PidFile $dir/proftpd.pid
ScoreboardFile $dir/proftpd.scoreboard
DelayTable $dir/proftpd.delay
AuthOrder mod_auth_unix.c
<IfModule mod_tls.c>
TLSEngine on
TLSLog $dir/proftpd-tls.log
TLSRSACertificateFile $pki/server.crt
TLSRSACertificateKeyFile $dir/server.key
TLSCertificateChainFile $pki/inter.crt
</IfModule>
CONF
        "$unpacked/usr/sbin/proftpd" -n -q -c "$dir/proftpd.conf" >"$dir/proftpd.out" 2>&1 &
        local pid=$!
        echo "$pid" >"$dir/proftpd-main.pid"
        wait_up proftpd "$pid" tcp "$PROFTPD_PORT" && return 0
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: proftpd did not start: $(tail -5 "$dir/proftpd.out")" >&2
    exit 1
}

# pure-ftpd with Debian's defaults (the options pure-ftpd-wrapper makes of /etc/pure-ftpd/conf: MinUID 1000,
# NoAnonymous, TLSCipherSuite HIGH, AltLog; the wrapper skips FSCharset) and TLS required (--tls=2), explicit FTPS being its
# only TLS mode. Changed: the address, port and passive ports, the log path, the certificate, and Unix
# authentication instead of PAM (its PAM service file is not installed).
start_pureftpd() {
    need_unpacked pure-ftpd
    cat "$pki/server.key" "$pki/server.crt" "$pki/inter.crt" >"$dir/pure-ftpd.pem"
    chmod 600 "$dir/pure-ftpd.pem"
    for _ in 1 2 3 4 5; do
        PUREFTPD_PORT=$(free_port tcp)
        local pmin=$((20000 + RANDOM % 40000))
        "$unpacked/usr/sbin/pure-ftpd" -S "127.0.0.1,$PUREFTPD_PORT" -p "$pmin:$((pmin + 20))" -P 127.0.0.1 \
            -u 1000 -E -J HIGH -O "clf:$dir/pure-ftpd-transfer.log" -l unix \
            --tls=2 --certfile="$dir/pure-ftpd.pem" >"$dir/pure-ftpd.out" 2>&1 &
        local pid=$!
        echo "$pid" >"$dir/pure-ftpd.pid"
        wait_up pure-ftpd "$pid" tcp "$PUREFTPD_PORT" && return 0
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: pure-ftpd did not start: $(tail -5 "$dir/pure-ftpd.out")" >&2
    exit 1
}

# atftpd with the options of Debian's /etc/default/atftpd (timeouts, retries, threads; multicast left out), in the
# foreground, on 127.0.0.1 and a high port, logging to a file.
start_atftpd() {
    need_unpacked atftpd
    for _ in 1 2 3 4 5; do
        ATFTPD_PORT=$(free_port udp)
        "$unpacked/usr/sbin/atftpd" --daemon --no-fork --bind-address 127.0.0.1 --port "$ATFTPD_PORT" \
            --user root --group root --tftpd-timeout 300 --retry-timeout 5 --maxthread 100 --verbose=5 \
            --logfile "$dir/atftpd.log" "$dir/files" >"$dir/atftpd.out" 2>&1 &
        local pid=$!
        echo "$pid" >"$dir/atftpd.pid"
        wait_up atftpd "$pid" udp "$ATFTPD_PORT" && return 0
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: atftpd did not start: $(tail -5 "$dir/atftpd.out" "$dir/atftpd.log" 2>/dev/null)" >&2
    exit 1
}

# apache2 as Debian ships it (a copy of /etc/apache2), with only these changed: ports.conf (127.0.0.1, two high
# ports), the run, lock and log directories, the certificate, mod_auth_digest and mod_ssl enabled, and one site
# instead of 000-default: DIR/files under /digest/ (Digest, MD5) and /basic/ (Basic), and redirects:
#   /moved/ 301 -> /digest/        /secure/ 302 -> https://.../digest/     /to-ftp/ 302 -> ftp://...
#   /elsewhere/ 302 -> http://localhost:.../digest/ (another host: no credentials)   https /downgrade/ 302 -> http
#   https /elsewhere/ 302 -> https://localhost:.../digest/ (a host the certificate does not name)
start_apache() {
    local a=$dir/apache2 realm=provisioning
    command -v apache2 >/dev/null || { echo "prov-servers: apache2 is not installed (make deps)" >&2; exit 1; }
    rm -rf "$a"
    cp -r /etc/apache2 "$a"
    rm -f "$a"/sites-enabled/*
    for m in auth_digest.load ssl.load ssl.conf socache_shmcb.load; do ln -sf "../mods-available/$m" "$a/mods-enabled/$m"; done
    mkdir -p "$dir/apache-run" "$dir/apache-lock" "$dir/apache-log"
    printf '%s:%s:%s\n' "$FTP_USER" "$realm" \
        "$(printf '%s:%s:%s' "$FTP_USER" "$realm" "$PASSWORD" | md5sum | cut -d' ' -f1)" >"$dir/htdigest"
    chmod 644 "$dir/htdigest" "$dir/htpasswd"
    for _ in 1 2 3 4 5; do
        APACHE_HTTP_PORT=$(free_port tcp)
        APACHE_HTTPS_PORT=$(free_port tcp)
        printf 'Listen 127.0.0.1:%s\nListen 127.0.0.1:%s\n' "$APACHE_HTTP_PORT" "$APACHE_HTTPS_PORT" >"$a/ports.conf"
        cat >"$a/sites-enabled/certslot.conf" <<CONF
<Directory $dir/files>
    Require all granted
</Directory>
Alias /digest/ $dir/files/
Alias /basic/ $dir/files/
<Location /digest/>
    AuthType Digest
    AuthName "$realm"
    AuthDigestProvider file
    AuthUserFile $dir/htdigest
    Require valid-user
</Location>
<Location /basic/>
    AuthType Basic
    AuthName "$realm"
    AuthBasicProvider file
    AuthUserFile $dir/htpasswd
    Require valid-user
</Location>
<VirtualHost 127.0.0.1:$APACHE_HTTP_PORT>
    DocumentRoot $dir/files
    Redirect 301 /moved/ /digest/
    Redirect 302 /secure/ https://127.0.0.1:$APACHE_HTTPS_PORT/digest/
    Redirect 302 /to-ftp/ ftp://127.0.0.1:${FTP_PORT:-21}/
    Redirect 302 /elsewhere/ http://localhost:$APACHE_HTTP_PORT/digest/
</VirtualHost>
<VirtualHost 127.0.0.1:$APACHE_HTTPS_PORT>
    DocumentRoot $dir/files
    SSLEngine on
    SSLCertificateFile $dir/fullchain.pem
    SSLCertificateKeyFile $dir/server.key
    Redirect 302 /downgrade/ http://127.0.0.1:$APACHE_HTTP_PORT/digest/
    Redirect 302 /elsewhere/ https://localhost:$APACHE_HTTPS_PORT/digest/
</VirtualHost>
CONF
        APACHE_CONFDIR=$a APACHE_RUN_USER=www-data APACHE_RUN_GROUP=www-data APACHE_PID_FILE=$dir/apache.pid \
            APACHE_RUN_DIR=$dir/apache-run APACHE_LOCK_DIR=$dir/apache-lock APACHE_LOG_DIR=$dir/apache-log LANG=C \
            apache2 -d "$a" -f "$a/apache2.conf" -DFOREGROUND >"$dir/apache.out" 2>&1 &
        local pid=$!
        echo "$pid" >"$dir/apache-main.pid"
        wait_up apache "$pid" tcp "$APACHE_HTTP_PORT" "$APACHE_HTTPS_PORT" && return 0
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: apache2 did not start: $(tail -5 "$dir/apache.out" "$dir/apache-log/error.log" 2>/dev/null)" >&2
    exit 1
}

start_tftpd() { # name [in.tftpd options...] (tftpd-hpa as Debian's default runs it: -s DIR, here -L in front)
    local name=$1 port
    shift
    for _ in 1 2 3 4 5; do
        port=$(free_port udp)
        in.tftpd -L -s "$dir/files" -a "127.0.0.1:$port" -u root "$@" >"$dir/$name.out" 2>&1 &
        local pid=$!
        echo "$pid" >"$dir/$name.pid"
        if wait_up "$name" "$pid" udp "$port"; then
            eval "${name^^}_PORT=$port"
            return 0
        fi
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: in.tftpd ($name) did not start: $(cat "$dir/$name.out")" >&2
    exit 1
}

# Which servers: the names after PKI (nginx vsftpd apache2 tftpd proftpd pure-ftpd atftpd), or all of them.
shift 3
want() { [ $# -eq 0 ] && return 0; local w; for w in "${only[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
only=("$@")
[ ${#only[@]} -gt 0 ] || only=(nginx vsftpd apache2 tftpd proftpd pure-ftpd atftpd)
trap 'stop' ERR
want nginx && start_nginx
if want vsftpd; then
    start_vsftpd ftp 0
    start_vsftpd ftps implicit
    start_vsftpd ftpes explicit
    start_vsftpd ftps12 implicit TLSv1.2
fi
want apache2 && start_apache
if want tftpd; then
    start_tftpd tftp
    start_tftpd tftp_noopts -r blksize -r tsize -r timeout # a server that ignores RFC 2347 options
fi
want proftpd && start_proftpd
want pure-ftpd && start_pureftpd
want atftpd && start_atftpd
trap - ERR
cat >"$dir/ports.env" <<ENV
HTTP_PORT=${HTTP_PORT:-}
HTTPS_PORT=${HTTPS_PORT:-}
FTP_PORT=${FTP_PORT:-}
FTPS_PORT=${FTPS_PORT:-}
FTPES_PORT=${FTPES_PORT:-}
FTPS12_PORT=${FTPS12_PORT:-}
TFTP_PORT=${TFTP_PORT:-}
TFTP_NOOPTS_PORT=${TFTP_NOOPTS_PORT:-}
APACHE_HTTP_PORT=${APACHE_HTTP_PORT:-}
APACHE_HTTPS_PORT=${APACHE_HTTPS_PORT:-}
PROFTPD_PORT=${PROFTPD_PORT:-}
PUREFTPD_PORT=${PUREFTPD_PORT:-}
ATFTPD_PORT=${ATFTPD_PORT:-}
ENV
