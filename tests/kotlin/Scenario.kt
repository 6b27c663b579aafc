// A supervisor's tablet and a kiosk, driven from Kotlin through the
// generated bindings against a real prestasi-server. Any failed check
// throws, and the JVM exits non-zero.
//
// People sign in on the tablet with their PIN; every change is signed by
// their key. The enrolled supervisor's key is bound by the person code of
// the enrollment; the reviewer, a second person on the same tablet, brings
// a person code HR issues over the API.
//
// Arguments: serverUrl tenant hrPassword supCode sup2Code otherCode kioskCode workDir
//            bossNip staff1Nip staff2Nip reviewerNip

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import uniffi.prestasi_mobile.*

fun http(method: String, url: String, body: String?, token: String?): String {
    val b = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
    if (token != null) b.header("authorization", "Bearer $token")
    b.method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body))
    val res = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString())
    check(res.statusCode() == 200) { "$method $url -> ${res.statusCode()}: ${res.body()}" }
    return res.body()
}

/// The JSON object (one row) in `json` that mentions `needle`.
fun rowWith(json: String, needle: String): String =
    json.split("},{").firstOrNull { it.contains(needle) } ?: error("no row with $needle in $json")

/// One entry of an appraisal's signed history, as the HR API returns it.
data class SignedChange(val user: String?, val verdict: String, val person: String?, val label: String, val text: String)

/// The objects of the JSON array that starts at `from` in `json` (no JSON
/// library on this classpath: split on brackets outside strings).
fun arrayObjects(json: String, from: Int): List<String> {
    check(json.getOrNull(from) == '[') { "no array at $from in $json" }
    val out = mutableListOf<String>()
    var depth = 0; var inString = false; var escaped = false; var objectStart = -1
    for (i in from until json.length) {
        val c = json[i]
        if (inString) {
            if (escaped) escaped = false else if (c == '\\') escaped = true else if (c == '"') inString = false
            continue
        }
        when (c) {
            '"' -> inString = true
            '[', '{' -> { depth++; if (c == '{' && depth == 2) objectStart = i }
            ']', '}' -> {
                depth--
                if (c == '}' && depth == 1) out += json.substring(objectStart, i + 1)
                if (depth == 0) return out
            }
        }
    }
    error("unterminated array in $json")
}

/// The `history` entries of `GET /v1/hr/appraisals/{id}`, oldest first, each
/// with its `signature` verdict (an object with no nested objects) and label.
fun signedHistory(detail: String): List<SignedChange> {
    val at = detail.indexOf("\"history\":[")
    check(at >= 0) { "no history in $detail" }
    fun field(entry: String, re: String) = Regex(re).find(entry)?.groupValues?.get(1)
    return arrayObjects(detail, at + "\"history\":".length).map { e ->
        val sig = field(e, """"signature":\{([^{}]*)\}""") ?: error("no signature in $e")
        SignedChange(
            user = field(e, """"user":"([^"]*)""""),
            verdict = field(sig, """"verdict":"([a-z_]+)"""") ?: error("no verdict in $sig"),
            person = field(sig, """"person":"([^"]*)""""),
            label = field(e, """"signature_label":"([^"]*)"""") ?: error("no label in $e"),
            text = e,
        )
    }
}

/// The signer `person` on `session`'s tablet.
fun signerOf(session: PrestasiSession, person: String): Signer =
    session.signers().firstOrNull { it.person == person } ?: error("no signer $person in ${session.signers()}")

/// Each tablet's store key: on Android 32 random bytes wrapped by a Keystore
/// key (docs/ANDROID.md); here random bytes kept in memory.
val storeKeys = HashMap<String, ByteArray>()
fun keyOf(path: String): ByteArray =
    storeKeys.getOrPut(path) { ByteArray(32).also { java.security.SecureRandom().nextBytes(it) } }

fun openTablet(path: String): PrestasiSession = PrestasiSession.open(path, keyOf(path))

fun main(args: Array<String>) {
    check(args.size == 12) { "usage: url tenant hrPassword supCode sup2Code otherCode kioskCode workDir boss staff1 staff2 reviewer" }
    val url = args[0]; val tenant = args[1]; val hrPassword = args[2]
    val supCode = args[3]; val sup2Code = args[4]; val otherCode = args[5]; val kioskCode = args[6]
    val workDir = args[7]; val boss = args[8]; val staff1 = args[9]; val staff2 = args[10]; val reviewer = args[11]
    val period = "2026-Q3"
    val bossPin = "246810"; val reviewerPin = "97531086"

    // --- Enroll and read the roster ---------------------------------------
    val tablet = openTablet("$workDir/tablet.db")
    val me = tablet.enroll(url, supCode)
    check(me.role == Role.SUPERVISOR && me.user == boss) { "enrollment $me" }
    var sync = tablet.syncNow()
    check(sync.roundTrips <= 2uL) { "roster sync took ${sync.roundTrips} round trips" }
    // The store is encrypted: another key opens nothing and changes nothing.
    try {
        PrestasiSession.open("$workDir/tablet.db", ByteArray(32) { 7 })
        error("the store opened with a wrong key")
    } catch (e: MobileException.WrongKey) {
        println("refused as expected: ${e.message}")
    }
    check(!java.io.File("$workDir/tablet.db").readBytes().toString(Charsets.ISO_8859_1).contains(boss)) {
        "the NIP in plaintext in the store file"
    }

    // --- Sign in with a PIN ---------------------------------------------------
    // Nobody is signed in yet: editing (even reading one's own staff) needs a PIN.
    try {
        tablet.myStaff(period)
        error("read my staff with nobody signed in")
    } catch (e: MobileException.NotSignedIn) {
        println("refused as expected: ${e.message}")
    }
    try {
        tablet.signIn(boss, "1234", null)
        error("a 4-digit PIN was accepted")
    } catch (e: MobileException.Invalid) { }
    check(tablet.signers().isEmpty()) { "signers before any sign-in: ${tablet.signers()}" }
    // The first sign-in makes the key; the enrollment's person code binds it at the next sync.
    val bossKey = tablet.signIn(boss, bossPin, null)
    check(bossKey.person == boss && bossKey.status == "pending" && bossKey.label == "menunggu verifikasi" && bossKey.hasCode) {
        "boss before binding: $bossKey"
    }
    check(tablet.signers() == listOf(bossKey)) { "signers ${tablet.signers()}" }
    val staff = tablet.myStaff(period)
    check(staff.map { it.nip }.toSet() == setOf(staff1, staff2)) { "roster $staff" }

    // --- Appraise two staff offline -----------------------------------------
    val ids = mutableMapOf<String, String>()
    for ((nip, overall) in listOf(staff1 to Rating.DI_ATAS_EKSPEKTASI, staff2 to Rating.SESUAI_EKSPEKTASI)) {
        val id = tablet.startAppraisal(nip, period)
        ids[nip] = id
        // Appraiser and reviewer come from the roster: the boss and the boss's NIP_ATASAN.
        val fresh = tablet.appraisal(id)
        check(fresh.appraiserNip == boss && fresh.reviewerNip == reviewer) { "assignment $fresh" }
        val t = tablet.addTarget(id, "Dokumen kependudukan terbit", 120.0, "dokumen", true)
        tablet.setRealisation(id, t, 118.0)
        tablet.rateTarget(id, t, overall)
        for (value in BehaviourValue.values()) tablet.rateBehaviour(id, value, 3u, null)
        tablet.setNotes(id, "Pelayanan cepat dan ramah.")
        tablet.addDialogue(id, "Dialog kinerja triwulan III.")
        tablet.addInnovation(id, "Antrean daring", "2026-08-17", "Waktu tunggu turun dari 45 ke 10 menit")
        tablet.setOverall(id, overall, overall)
        val a = tablet.setStatus(id, AppraisalStatus.SUBMITTED)
        check(a.status == AppraisalStatus.SUBMITTED && a.targets.size == 1 && a.innovations.size == 1) { "$a" }
    }
    check(tablet.appraisal(ids.getValue(staff1)).predikat == Predikat.SANGAT_BAIK)
    check(tablet.appraisal(ids.getValue(staff2)).predikat == Predikat.BAIK)

    // A bad score is a typed exception with a readable reason.
    try {
        tablet.rateBehaviour(ids.getValue(staff1), BehaviourValue.KOMPETEN, 7u, null)
        error("a score of 7 was accepted")
    } catch (e: MobileException.Invalid) {
        check(e.message!!.contains("7") && e.message!!.contains("1") && e.message!!.contains("3")) { e.message!! }
        println("refused as expected: ${e.message}")
    }
    check(tablet.unsyncedCount() == 2uL) { "unsynced ${tablet.unsyncedCount()}" }
    // Signed by a key the server has not bound yet: "menunggu verifikasi".
    check(tablet.status(ids.getValue(staff1)).sync is SyncState.AwaitingVerification) { "${tablet.status(ids.getValue(staff1))}" }

    // --- A kiosk records feedback offline -----------------------------------
    val kiosk = openTablet("$workDir/kiosk.db")
    check(kiosk.enroll(url, kioskCode).role == Role.KIOSK)
    val fid = kiosk.recordFeedback(FeedbackInput(null, "Perekaman KTP-el", byteArrayOf(4, 4, 3, 4, 3, 4, 4, 3, 4), 12u, "Cepat", null))
    try {
        kiosk.recordFeedback(FeedbackInput(null, "KTP-el", byteArrayOf(4, 4, 5, 4, 3, 4, 4, 3, 4), 1u, "", null))
        error("a score of 5 was accepted")
    } catch (e: MobileException.Invalid) {
        println("refused as expected: ${e.message}")
    }
    check(kiosk.feedbackAwaitingUpload().map { it.id } == listOf(fid))

    // --- Sync both, in the background for the tablet --------------------------
    val done = CountDownLatch(1)
    tablet.startBackgroundSync(3600uL, object : SyncStatusObserver {
        override fun onEvent(event: SyncStatusEvent) {
            if (event is SyncStatusEvent.Succeeded && event.summary.accepted == 2uL) done.countDown()
        }
    })
    check(done.await(30, TimeUnit.SECONDS)) { "background sync did not succeed" }
    tablet.stopBackgroundSync()
    sync = kiosk.syncNow()
    check(sync.accepted == 1uL && sync.roundTrips == 1uL) { "kiosk $sync" }
    check(tablet.unsyncedCount() == 0uL && kiosk.unsyncedCount() == 0uL)
    check(tablet.status(ids.getValue(staff1)).sync is SyncState.OnServer)
    check(tablet.lastSync() != null)
    // The sync bound the boss's key and spent the enrollment's person code.
    signerOf(tablet, boss).let { check(it.status == "bound" && it.label == "terverifikasi" && !it.hasCode) { "boss after sync: $it" } }
    check(tablet.history(ids.getValue(staff1)).isNotEmpty() && tablet.conflicts(ids.getValue(staff1)).isEmpty())

    // --- On the server, over HTTP ---------------------------------------------
    val login = http("POST", "$url/v1/login", """{"tenant":"$tenant","username":"hr","password":"$hrPassword"}""", null)
    val token = Regex("\"token\":\"([0-9a-f]+)\"").find(login)!!.groupValues[1]
    val rows = http("GET", "$url/v1/hr/appraisals?period=$period", null, token)
    check(rowWith(rows, staff1).contains("\"predikat\":\"SangatBaik\"")) { rows }
    check(rowWith(rows, staff2).contains("\"predikat\":\"Baik\"")) { rows }
    check(rowWith(rows, staff1).contains("\"status\":\"submitted\"")) { rows }
    val count = http("GET", "$url/v1/hr/feedback/count", null, token)
    check(count.contains("\"count\":1")) { count }

    // --- A second tablet receives what it may see ------------------------------
    val second = openTablet("$workDir/second.db")
    second.enroll(url, sup2Code)
    second.syncNow()
    check(second.appraisalsByStatus(AppraisalStatus.SUBMITTED, period).map { it.employeeNip }.toSet() == setOf(staff1, staff2))
    check(second.appraisal(ids.getValue(staff1)).predikat == Predikat.SANGAT_BAIK)
    try {
        second.status(fid)
        error("a supervisor tablet received citizens' feedback")
    } catch (e: MobileException.NotFound) { }
    // Past two free wrong PINs the tablet makes the person wait (30 s, doubling).
    second.signIn(boss, bossPin, null)
    second.signOut()
    val left = (1..3).map {
        val o = second.trySignIn(boss, "000000", null)
        check(o is SignInOutcome.WrongPin) { "wrong PIN $it on the second tablet: $o" }
        o.attemptsLeft
    }
    check(left == listOf(4u, 3u, 2u)) { "attempts left $left" }
    val locked = second.trySignIn(boss, bossPin, null)
    check(locked is SignInOutcome.PinLocked && locked.retryAfterSecs in 1uL..30uL) { "after 3 wrong PINs: $locked" }
    try {
        second.signIn(boss, bossPin, null)
        error("signed in while locked out")
    } catch (e: MobileException.PinLocked) {
        println("refused as expected: ${e.message}")
    }
    // ...and a tablet of another unit sees none of it.
    val other = openTablet("$workDir/other.db")
    val otherBoss = other.enroll(url, otherCode).user
    other.syncNow()
    other.signIn(otherBoss, "80808080", null)
    check(other.appraisalsByStatus(AppraisalStatus.SUBMITTED, null).isEmpty())
    check(other.myStaff(period).all { it.nip != staff1 && it.nip != staff2 })

    // --- The reviewer signs in on the same tablet ---------------------------------
    val staff1Id = ids.getValue(staff1)
    // HR issues the reviewer a one-time person code for their first sign-in here.
    val issued = http("POST", "$url/v1/hr/people/$reviewer/code", null, token)
    check(issued.contains("\"person\":\"$reviewer\"") && issued.contains("\"valid_days\":7")) { issued }
    val reviewerCode = Regex("\"code\":\"([^\"]+)\"").find(issued)!!.groupValues[1]
    val reviewerKey = tablet.signIn(reviewer, reviewerPin, reviewerCode)
    check(reviewerKey.person == reviewer && reviewerKey.status == "pending" && reviewerKey.label == "menunggu verifikasi" && reviewerKey.hasCode) {
        "reviewer before binding: $reviewerKey"
    }
    check(tablet.signers().map { it.person to it.status } == listOf(boss to "bound", reviewer to "pending").sortedBy { it.first }) {
        "signers ${tablet.signers()}"
    }
    val reviewed = tablet.setStatus(staff1Id, AppraisalStatus.REVIEWED)
    check(reviewed.status == AppraisalStatus.REVIEWED) { "$reviewed" }
    check(tablet.status(staff1Id).sync is SyncState.AwaitingVerification) { "${tablet.status(staff1Id)}" }
    sync = tablet.syncNow()
    check(sync.accepted == 1uL && sync.rejected == 0uL) { "reviewer's sync $sync" }
    check(tablet.status(staff1Id).sync is SyncState.OnServer) { "${tablet.status(staff1Id)}" }
    signerOf(tablet, reviewer).let { check(it.status == "bound" && it.label == "terverifikasi" && !it.hasCode) { "reviewer after sync: $it" } }
    check(tablet.signers().all { it.status == "bound" }) { "signers ${tablet.signers()}" }

    // --- The boss back on the tablet: a wrong PIN, then the right one -----------------
    tablet.signOut()
    try {
        tablet.startAppraisal(staff2, "2026-Q4")
        error("started an appraisal with nobody signed in")
    } catch (e: MobileException.NotSignedIn) { }
    // A wrong PIN: the typed exception of signIn, and the numbers from trySignIn.
    try {
        tablet.signIn(boss, reviewerPin, null)
        error("the boss signed in with the reviewer's PIN")
    } catch (e: MobileException.WrongPin) {
        check(e.message!!.contains("PIN salah") && e.message!!.contains("Sisa 4 kali")) { e.message!! }
        println("refused as expected: ${e.message}")
    }
    val secondTry = tablet.trySignIn(boss, "135790", null)
    check(secondTry is SignInOutcome.WrongPin && secondTry.attemptsLeft == 3u && secondTry.message.contains("Sisa 3 kali")) {
        "second wrong PIN: $secondTry"
    }
    val right = tablet.trySignIn(boss, bossPin, null)
    check(right is SignInOutcome.SignedIn && right.signer.person == boss && right.signer.status == "bound") { "right PIN: $right" }
    // The right PIN resets the count.
    val again = tablet.trySignIn(boss, "135790", null)
    check(again is SignInOutcome.WrongPin && again.attemptsLeft == 4u) { "wrong PIN after the right one: $again" }
    check(tablet.signIn(boss, bossPin, null).status == "bound")
    val next = tablet.startAppraisal(staff2, "2026-Q4")
    tablet.addTarget(next, "Dokumen kependudukan terbit", 130.0, "dokumen", true)
    sync = tablet.syncNow()
    check(sync.accepted == 1uL && sync.rejected == 0uL) { "the boss's sync after signing back in: $sync" }
    check(sync.batchesAcknowledged >= 1uL && sync.batchesAcknowledged == sync.roundTrips) { "batches of $sync" }

    // --- No network at all: a bundle on a USB stick, and BKPSDM's receipt ------------------
    tablet.addTarget(next, "Akta kelahiran terbit", 80.0, "akta", false)
    val waiting = tablet.linkStatus()
    check(waiting.pendingDocuments == 1uL && waiting.pendingBytes > 0uL) { "link status $waiting" }
    val written = tablet.exportBundle("$workDir/paket.prst")
    check(written.documents == 1uL && written.remaining == 0uL && written.bytes > 0uL) { "bundle $written" }
    val upload = HttpRequest.newBuilder(URI.create("$url/v1/hr/bundles"))
        .header("authorization", "Bearer $token").header("content-type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofFile(java.nio.file.Path.of("$workDir/paket.prst"))).build()
    val receipt = HttpClient.newHttpClient().send(upload, HttpResponse.BodyHandlers.ofByteArray())
    check(receipt.statusCode() == 200 && receipt.headers().firstValue("prestasi-accepted").orElse("") == "1") {
        "bundle import -> ${receipt.statusCode()}: ${String(receipt.body())}"
    }
    java.io.File("$workDir/tanda-terima.prst").writeBytes(receipt.body())
    val tampered = receipt.body().copyOf().also { it[it.size / 2] = (it[it.size / 2].toInt() xor 1).toByte() }
    java.io.File("$workDir/rusak.prst").writeBytes(tampered)
    try {
        tablet.importBundle("$workDir/rusak.prst")
        error("a tampered receipt was imported")
    } catch (e: MobileException.Bundle) {
        check(e.message!!.contains("telah diubah")) { "${e.message}" }
        println("refused as expected: ${e.message}")
    }
    check(tablet.unsyncedCount() == 1uL) { "a refused receipt recorded nothing" }
    val read = tablet.importBundle("$workDir/tanda-terima.prst")
    check(read.kind == "receipt" && read.accepted == 1uL && !read.alreadyImported) { "receipt $read" }
    check(tablet.unsyncedCount() == 0uL && tablet.status(next).sync is SyncState.OnServer) { "after the receipt" }
    check(tablet.importBundle("$workDir/tanda-terima.prst").alreadyImported) { "the same receipt twice" }

    // --- HR reads who signed each change -----------------------------------------------
    val listed = http("GET", "$url/v1/hr/appraisals?period=$period", null, token)
    check(rowWith(listed, staff1).contains("\"status\":\"reviewed\"")) { listed }
    val detail = http("GET", "$url/v1/hr/appraisals/$staff1Id", null, token)
    val history = signedHistory(detail)
    check(history.isNotEmpty()) { "no signed history in $detail" }
    check(history.all { it.verdict == "verified" && it.person == it.user }) {
        "unverified history: ${history.filter { it.verdict != "verified" || it.person != it.user }}"
    }
    check(history.all { it.label == "ditandatangani oleh ${it.person} (terverifikasi)" }) { history.map { it.label }.toString() }
    check(history.map { it.person }.toSet() == setOf(boss, reviewer)) { "signers in history: ${history.map { it.person }}" }
    check(history.dropLast(1).all { it.person == boss }) { "the boss wrote everything before the review" }
    val review = history.last()
    check(review.person == reviewer && review.text.contains("{\"path\":\"status\",\"value\":\"reviewed\"}")) {
        "the review in history: $review"
    }
    println("history of $staff1Id: ${history.size} changes, ${history.count { it.person == boss }} by $boss, " +
        "${history.count { it.person == reviewer }} by $reviewer, all terverifikasi")

    // --- A lost tablet: revoked by BKPSDM, it wipes itself when it comes online ------------
    val lostId = other.deviceId()
    val unsent = other.startAppraisal(other.myStaff(period).first().nip, period)
    http("POST", "$url/v1/hr/devices/$lostId/revoke", "{\"reason\":\"Tablet hilang\"}", token)
    try {
        other.syncNow()
        error("a revoked tablet synced")
    } catch (e: MobileException.Revoked) {
        check(e.message!!.contains("Tablet hilang") && e.message!!.contains("dihapus")) { "${e.message}" }
        println("revoked as expected: ${e.message}")
    }
    val wiped = other.wipeReport() ?: error("no wipe report")
    check(wiped.documents == 1uL && wiped.bundles.size == 1 && wiped.serverTold) { "wipe $wiped" }
    check(java.io.File(wiped.bundles[0]).length() > 0 && !java.io.File("$workDir/other.db").exists()) { "after the wipe" }
    try {
        other.appraisal(unsent)
        error("a wiped tablet still reads")
    } catch (e: MobileException.Wiped) {
        println("refused as expected: ${e.message}")
    }
    val devices = http("GET", "$url/v1/hr/devices", null, token)
    check(!rowWith(devices, lostId).contains("\"wiped_at\":null")) { "HR does not see the tablet wiped: $devices" }

    println("Kotlin scenario passed: 2 appraisals (1 reviewed), 1 feedback, 2 people signed in on 1 tablet, 3 tablets, 1 kiosk, 1 lost tablet wiped")
}
