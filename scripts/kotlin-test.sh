#!/usr/bin/env bash
# The Kotlin scenario: generated bindings, on the JVM, against a real
# prestasi-server on loopback. Installs the JVM toolchain when missing
# (JNA from Debian, the Kotlin compiler from npm), builds the workspace,
# generates Kotlin and Swift, seeds a server, runs tests/kotlin/Scenario.kt.
# The roster has a reviewer (the boss's NIP_ATASAN) who signs in on the
# boss's tablet with a person code the scenario gets from the HR API.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/target/kotlin-toolchain
KOTLIN_VERSION=2.4.20

# --- Toolchain -------------------------------------------------------------
if ! command -v java >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless
fi
if [ ! -f /usr/share/java/jna.jar ]; then
    apt-get update -qq && apt-get install -y -qq libjna-java
fi
if [ ! -x "$TOOLS/package/bin/kotlinc-jvm" ]; then
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null && tar xzf "kotlin-compiler-$KOTLIN_VERSION.tgz")
fi
KOTLINC=$TOOLS/package/bin/kotlinc-jvm
STDLIB=$TOOLS/package/lib/kotlin-stdlib.jar
JNA=/usr/share/java/jna.jar

# --- Build and generate ----------------------------------------------------
cargo build --workspace --locked
LIB=$ROOT/target/debug/libprestasi_mobile.so
GEN=$ROOT/target/bindings
rm -rf "$GEN"
"$ROOT/target/debug/uniffi-bindgen" generate --no-format --library "$LIB" --language kotlin --out-dir "$GEN/kotlin"
"$ROOT/target/debug/uniffi-bindgen" generate --no-format --library "$LIB" --language swift --out-dir "$GEN/swift"
for f in "$GEN/swift/prestasi_mobile.swift" "$GEN/swift/prestasi_mobileFFI.h" "$GEN/swift/prestasi_mobileFFI.modulemap"; do
    [ -s "$f" ] || { echo "Swift bindings missing: $f" >&2; exit 1; }
done
grep -q "class PrestasiSession" "$GEN/swift/prestasi_mobile.swift" || { echo "Swift bindings lack PrestasiSession" >&2; exit 1; }
echo "Swift bindings generated in $GEN/swift"

# --- A seeded server on loopback ----------------------------------------------
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
S="$ROOT/target/debug/prestasi-server --data-dir $WORK/server"
TENANT=manokwari
REVIEWER=197811232003122004
BOSS=198802182010062056
BOSS_B=197507262005102812
STAFF1=199307082019031090
STAFF2=199512032018071666
STAFF3=199001012015011001
cat > "$WORK/pegawai.csv" <<CSV
NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;NIP_ATASAN
$REVIEWER;Agustina Wonggor;dukcapil;Bidang Pelayanan;disdukcapil;Dinas Dukcapil;administrator;Kepala Bidang;
$BOSS;Maria Mandacan;dukcapil;Bidang Pelayanan;disdukcapil;Dinas Dukcapil;pengawas;Kepala Seksi;$REVIEWER
$STAFF1;Yohanes Rumbewas;dukcapil;Bidang Pelayanan;disdukcapil;Dinas Dukcapil;pelaksana;Pengolah Data;$BOSS
$STAFF2;Siti Aminah;dukcapil;Bidang Pelayanan;disdukcapil;Dinas Dukcapil;pelaksana;Operator;$BOSS
$BOSS_B;Daniel Iba;dinkes;Seksi Gizi;dinkes;Dinas Kesehatan;pengawas;Kepala Seksi;
$STAFF3;Rina Wonda;dinkes;Seksi Gizi;dinkes;Dinas Kesehatan;pelaksana;Pengelola Gizi;$BOSS_B
CSV
HR_PASSWORD=kata-sandi-uji-kotlin
$S tenant create --id $TENANT --name "Kabupaten Manokwari" >/dev/null
$S employees import --tenant $TENANT "$WORK/pegawai.csv"
PRESTASI_PASSWORD=$HR_PASSWORD $S user create --tenant $TENANT --username hr >/dev/null
SUP=$($S device enroll --tenant $TENANT --role supervisor --user $BOSS --unit dukcapil)
SUP2=$($S device enroll --tenant $TENANT --role supervisor --user $BOSS --unit dukcapil)
OTHER=$($S device enroll --tenant $TENANT --role supervisor --user $BOSS_B --unit dinkes)
KIOSK=$($S device enroll --tenant $TENANT --role kiosk --user kios-dukcapil --unit dukcapil)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$S serve --listen 127.0.0.1:$PORT 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
    sleep 0.1
done

# --- Compile and run the scenario ---------------------------------------------
"$KOTLINC" -nowarn "$GEN/kotlin/uniffi/prestasi_mobile/prestasi_mobile.kt" tests/kotlin/Scenario.kt \
    -cp "$JNA" -d "$WORK/scenario.jar"
mkdir -p "$WORK/devices"
if ! java -cp "$WORK/scenario.jar:$JNA:$STDLIB" -Djna.library.path="$ROOT/target/debug" ScenarioKt \
    "http://127.0.0.1:$PORT" $TENANT $HR_PASSWORD "$SUP" "$SUP2" "$OTHER" "$KIOSK" "$WORK/devices" \
    $BOSS $STAFF1 $STAFF2 $REVIEWER; then
    echo "Kotlin scenario FAILED; server log:" >&2
    tail -50 "$WORK/server.log" >&2
    exit 1
fi
echo "kotlin: 1 passed, 0 failed"
