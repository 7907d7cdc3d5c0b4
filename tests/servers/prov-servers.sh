#!/usr/bin/env bash
# Real provisioning servers for the tests, on 127.0.0.1 high ports:
#   nginx     HTTP and HTTPS, basic auth (user PlcmSpIp / PlcmSpIp), PUT allowed
#   vsftpd    FTP and implicit FTPS (local user certslotftp / PlcmSpIp)
#   in.tftpd  TFTP (tftpd-hpa)
# all serving DIR/files (the same directory for every protocol).
#
#   prov-servers.sh start DIR PKI   starts them, writes DIR/ports.env
#                                   (HTTP_PORT HTTPS_PORT FTP_PORT FTPS_PORT TFTP_PORT)
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

start_vsftpd() { # name tls
    local name=$1 tls=$2 port
    for _ in 1 2 3 4 5; do
        port=$(free_port tcp)
        local pmin=$((20000 + RANDOM % 40000))
        cat >"$dir/$name.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=000
local_root=$dir/files
chroot_local_user=NO
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$pmin
pasv_max_port=$((pmin + 20))
secure_chroot_dir=$dir/empty
seccomp_sandbox=NO
pam_service_name=vsftpd
userlist_enable=NO
xferlog_enable=NO
vsftpd_log_file=$dir/$name.log
dual_log_enable=NO
log_ftp_protocol=YES
idle_session_timeout=60
data_connection_timeout=30
CONF
        if [ "$tls" = 1 ]; then
            cat >>"$dir/$name.conf" <<CONF
ssl_enable=YES
implicit_ssl=YES
rsa_cert_file=$dir/fullchain.pem
rsa_private_key_file=$dir/server.key
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=NO
ssl_tlsv1=NO
ssl_sslv2=NO
ssl_sslv3=NO
CONF
        fi
        vsftpd "$dir/$name.conf" >"$dir/$name.out" 2>&1 &
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

start_tftpd() {
    for _ in 1 2 3 4 5; do
        TFTP_PORT=$(free_port udp)
        in.tftpd -L -s "$dir/files" -a "127.0.0.1:$TFTP_PORT" -u root >"$dir/tftpd.out" 2>&1 &
        local pid=$!
        echo "$pid" >"$dir/tftpd.pid"
        wait_up tftpd "$pid" udp "$TFTP_PORT" && return 0
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "prov-servers: in.tftpd did not start: $(cat "$dir/tftpd.out")" >&2
    exit 1
}

trap 'stop' ERR
start_nginx
start_vsftpd ftp 0
start_vsftpd ftps 1
start_tftpd
trap - ERR
cat >"$dir/ports.env" <<ENV
HTTP_PORT=$HTTP_PORT
HTTPS_PORT=$HTTPS_PORT
FTP_PORT=$FTP_PORT
FTPS_PORT=$FTPS_PORT
TFTP_PORT=$TFTP_PORT
ENV
