// A supervisor's tablet and a kiosk, driven from Kotlin through the
// generated bindings against a real prestasi-server. Any failed check
// throws, and the JVM exits non-zero.
//
// Arguments: serverUrl tenant hrPassword supCode sup2Code otherCode kioskCode workDir
//            bossNip staff1Nip staff2Nip

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

fun main(args: Array<String>) {
    check(args.size == 11) { "usage: url tenant hrPassword supCode sup2Code otherCode kioskCode workDir boss staff1 staff2" }
    val url = args[0]; val tenant = args[1]; val hrPassword = args[2]
    val supCode = args[3]; val sup2Code = args[4]; val otherCode = args[5]; val kioskCode = args[6]
    val workDir = args[7]; val boss = args[8]; val staff1 = args[9]; val staff2 = args[10]
    val period = "2026-Q3"

    // --- Enroll and read the roster ---------------------------------------
    val tablet = PrestasiSession.open("$workDir/tablet.db")
    val me = tablet.enroll(url, supCode)
    check(me.role == Role.SUPERVISOR && me.user == boss) { "enrollment $me" }
    var sync = tablet.syncNow()
    check(sync.roundTrips <= 2uL) { "roster sync took ${sync.roundTrips} round trips" }
    val staff = tablet.myStaff(period)
    check(staff.map { it.nip }.toSet() == setOf(staff1, staff2)) { "roster $staff" }

    // --- Appraise two staff offline -----------------------------------------
    val ids = mutableMapOf<String, String>()
    for ((nip, overall) in listOf(staff1 to Rating.DI_ATAS_EKSPEKTASI, staff2 to Rating.SESUAI_EKSPEKTASI)) {
        val id = tablet.startAppraisal(nip, period)
        ids[nip] = id
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
    check(tablet.status(ids.getValue(staff1)).sync is SyncState.OnlyOnDevice)

    // --- A kiosk records feedback offline -----------------------------------
    val kiosk = PrestasiSession.open("$workDir/kiosk.db")
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
    val second = PrestasiSession.open("$workDir/second.db")
    second.enroll(url, sup2Code)
    second.syncNow()
    check(second.appraisalsByStatus(AppraisalStatus.SUBMITTED, period).map { it.employeeNip }.toSet() == setOf(staff1, staff2))
    check(second.appraisal(ids.getValue(staff1)).predikat == Predikat.SANGAT_BAIK)
    try {
        second.status(fid)
        error("a supervisor tablet received citizens' feedback")
    } catch (e: MobileException.NotFound) { }
    // ...and a tablet of another unit sees none of it.
    val other = PrestasiSession.open("$workDir/other.db")
    other.enroll(url, otherCode)
    other.syncNow()
    check(other.appraisalsByStatus(AppraisalStatus.SUBMITTED, null).isEmpty())
    check(other.myStaff(period).all { it.nip != staff1 && it.nip != staff2 })

    println("Kotlin scenario passed: 2 appraisals, 1 feedback, 3 tablets, 1 kiosk")
}
