/* Macros that stand for field names, as glibc's signal.h writes them: si_pid is _sifields._kill.si_pid, and
 * sa_handler is __sigaction_handler.sa_handler (defined inside the struct). offsetof(..., si_pid) must name the
 * field, not the macro. */
typedef struct {
	int si_signo;
	int si_errno;
	union {
		int _pad[28];
		struct {
			int si_pid;
			unsigned int si_uid;
		} _kill;
		struct {
			int si_tid;
			int si_overrun;
		} _timer;
	} _sifields;
} fx_siginfo_t;

#define si_pid _sifields._kill.si_pid
#define si_uid _sifields._kill.si_uid
#define si_timerid _sifields._timer.si_tid

struct fx_sigaction {
	union {
		void (*sa_handler)(int);
		void (*sa_sigaction)(int, fx_siginfo_t *, void *);
	} __sigaction_handler;
#define sa_handler __sigaction_handler.sa_handler
#define sa_sigaction __sigaction_handler.sa_sigaction
	int sa_flags;
};

int fx_sigaction_install(int signal, const struct fx_sigaction *action);
