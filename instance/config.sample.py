"""Muhtar Bilgi Sistemi: instance configuration (copy to instance/config.py and edit).

Order of precedence: built-in defaults (webapp/ayarlar.py) -> this file -> MBS_* environment variables ->
test configuration. Secrets belong in the environment (MBS_SECRET_KEY) or in this file, never in git:
instance/ is ignored except this sample.
"""
from datetime import timedelta

# --- Set by environment variables (they override this file) -----------------------------------------------
# MBS_ENV: "development" (default; demo data, development SMS/e-mail backends) or "production"
#   (refuses to start with a default/short secret or with demo accounts still using "demo1234").
MBS_ENV = "development"
# MBS_SECRET_KEY: signs sessions and CSRF tokens; in production at least 32 random characters:
#   python3 -c 'import secrets; print(secrets.token_hex(32))'
# SECRET_KEY = "..."
# MBS_DATABASE_URL: an SQLAlchemy URL. Default: sqlite:///<instance>/mbs.db. Production:
#   "postgresql+psycopg://mbs:PAROLA@127.0.0.1:5432/mbs"
# DATABASE_URL = "sqlite:////path/to/instance/mbs.db"
# MBS_PORT: the port `make run` serves on (default 5000).
PORT = 5000
# MBS_CAPTCHA_ENABLED: 1/0; the image captcha on the login forms (default 1).
CAPTCHA_ENABLED = True

# --- Files -----------------------------------------------------------------------------------------------------
# BPMN/DMN processes and form definitions (default: processes/ and forms/ of the repository).
# PROCESSES_DIR = "/srv/mbs/processes"
# FORMS_DIR = "/srv/mbs/forms"
# Attachment storage (default: <instance>/ekler).
# UPLOAD_DIR = "/srv/mbs/ekler"
# Largest accepted request (uploads included), bytes; larger ones get the 413 page.
MAX_CONTENT_LENGTH = 20 * 1024 * 1024

# --- Sessions, CSRF, rate limits ----------------------------------------------------------------------------
# Idle session lifetime.
PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
# Forced to True in production (HTTPS only); keep False for plain-HTTP development.
SESSION_COOKIE_SECURE = False
# How long a form's CSRF token stays valid, seconds.
WTF_CSRF_TIME_LIMIT = 30 * 60
# Fixed security settings (defaults shown; change only with a reason): SESSION_COOKIE_HTTPONLY = True,
# SESSION_COOKIE_SAMESITE = "Lax", REMEMBER_COOKIE_HTTPONLY = True, REMEMBER_COOKIE_SAMESITE = "Lax",
# WTF_CSRF_ENABLED = True (every POST needs the form's csrf_token), RATELIMIT_HEADERS_ENABLED = True.
# Flask-Limiter: "memory://" counts per process; with several gunicorn workers use a shared store,
# e.g. "redis://127.0.0.1:6379/0" (needs the redis package).
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"

# --- SMS (engine/mesaj/sms.py) --------------------------------------------------------------------------------
# "gelistirme" (default: logs instead of sending) or "netgsm".
SMS_BACKEND = "gelistirme"
# Let the development backend log one-time codes (default: DEBUG).
# SMS_KODLARI_LOGLA = True
# Netgsm (needed when SMS_BACKEND = "netgsm"):
# SMS_NETGSM_KULLANICI = "850xxxxxxx"
# SMS_NETGSM_PAROLA = "..."
# SMS_NETGSM_BASLIK = "ICISLERI"
# SMS_NETGSM_URL = "https://api.netgsm.com.tr/sms/rest/v2/send"   # optional
# SMS_NETGSM_ZAMAN_ASIMI = 10                                        # seconds, optional

# --- E-mail (engine/mesaj/eposta.py) ---------------------------------------------------------------------------
# "gelistirme" (default: logs instead of sending) or "smtp".
EPOSTA_BACKEND = "gelistirme"
# EPOSTA_SMTP_HOST = "smtp.example.gov.tr"
# EPOSTA_GONDEREN = "mbs@example.gov.tr"
# EPOSTA_SMTP_PORT = 25
# EPOSTA_SMTP_KULLANICI = None
# EPOSTA_SMTP_PAROLA = None
# EPOSTA_SMTP_STARTTLS = False
# EPOSTA_SMTP_ZAMAN_ASIMI = 10

# --- Outbox delivery (engine/mesaj/teslim.py; `flask --app webapp mesaj gonder --dongu`) -----------------------
# MESAJ_AZAMI_DENEME = 8           # attempts before a message is marked failed
# MESAJ_GERI_CEKILME_SN = 30       # wait after the n-th failure: this * 2**(n-1) ...
# MESAJ_GERI_CEKILME_TAVAN_SN = 3600   # ... at most this
# MESAJ_KIRA_SN = 300              # a claimed message is taken back after this many seconds
# MESAJ_PARTI = 10                 # messages claimed per transaction
# MESAJ_SAKLAMA_GUN = 90           # flask mesaj temizle: delete delivered/failed messages older than this
# After a commit that queued messages, the web process starts delivering them at once in a background
# thread; with a separate `mesaj gonder --dongu` process you may turn that off.
#   MESAJ_TESLIM = "arka_plan" (default; "kapali" under TESTING) | "senkron" (in the request) | "kapali"
# MESAJ_TESLIM = "arka_plan"

# --- Raporlar (webapp/raporlar) and the timer runner (engine/zamanlayici.py) -------------------------------------
# Report figures are kept this many seconds per (scope, filter): a dashboard and its table exports compute once.
# 0 turns the cache off (it is off under TESTING unless set).
# RAPOR_ONBELLEK_SN = 300
# The deadline timers run in `flask --app webapp zamanlayici calistir --dongu --aralik 30` (a separate service;
# several copies are safe). It sends what it queued at the end of each round unless MESAJ_TESLIM = "kapali".

# --- Muhtar login (webapp/muhtar) -----------------------------------------------------------------------------
# How long the SMS onay kodu stays valid, seconds.
# MUHTAR_ONAY_KODU_SURESI_SN = 180
# Every login answer takes at least this long, seconds (a fast "no such muhtar" must not leak who is one).
# MUHTAR_GIRIS_ASGARI_SN = 0.3

# --- Muhtar registry (webapp/kayit, docs/muhtar-kayit.md) ---------------------------------------------------
# Largest CSV accepted by the bulk import page, bytes (73,305 rows are about 6 MB); keep it below
# MAX_CONTENT_LENGTH. Larger files: `flask --app webapp muhtar ice-aktar DOSYA`.
# MUHTAR_ICE_AKTARIM_AZAMI_BAYT = 16 * 1024 * 1024

# --- Kurum login (webapp/kurum) -------------------------------------------------------------------------------
# Flask-Limiter limits on the login form: per IP address and per username.
# KURUM_GIRIS_IP_SINIRI = "30 per minute;300 per hour"
# KURUM_GIRIS_KULLANICI_SINIRI = "10 per 15 minutes"
# Absolute session limit in hours, whatever the activity.
# KURUM_OTURUM_AZAMI_SAAT = 10

# --- Süreçler (webapp/surecler, docs/analist.md) -----------------------------------------------------------------
# Process files (.bpmn/.dmn) are limited in code: at most 20 files of 1 MB each per deployment (engine/yayin.py);
# MAX_CONTENT_LENGTH above caps the whole upload. Deploying is running code: only users with the "analist"
# permission may deploy, roll back or migrate, and every deployment is logged in surum_kaydi.
