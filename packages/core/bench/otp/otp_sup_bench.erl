%% otp_sup_bench -- performance anchor for OTP `supervisor` (own code, not
%% derived from OTP sources).  Measures, on the local node:
%%   0. baseline: raw spawn -> first message (floor for any restart)
%%   1. one_for_one restart latency of a single permanent child
%%   2. one_for_all restart of N=100 children after one crashes
%%   3. scale: 100,000 dynamic children (simple_one_for_one and one_for_one)
%%   4. nested trees (10x10x10 = 1,000 workers, and larger)
%%
%% Usage:   ./run.sh            (compiles, runs everything, prints markdown)
%%          ./run.sh quick      (smaller iteration counts, for smoke tests)
%%
%% trellis copy (packages/core/bench/otp/, from the project's shared otp-bench anchor):
%% `pnpm bench` compiles and runs it beside the Node benchmarks in the same session
%% (bench/otp.mjs). Added here: a `smoke` mode (tiny counts and small tree shapes, only so CI
%% sees it run), the warm-up count as a parameter, and tree rows named after their shape.
%%
%% All times are erlang:monotonic_time(nanosecond) deltas measured on the
%% same node; reported in microseconds (us) or milliseconds (ms).
-module(otp_sup_bench).

-export([main/0, main/1]).
%% supervisor + gen_server callback (dispatches on the init argument)
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).
%% child start functions
-export([start_gs_child/1, start_plain_child/1, plain_init/2]).

-define(NOW, erlang:monotonic_time(nanosecond)).

%%%===================================================================
%%% Entry points
%%%===================================================================

main() -> main([full]).

main([Mode0 | _]) ->
    Mode = to_atom(Mode0),
    process_flag(trap_exit, true),
    %% Logging off for the core measurements (one variant turns it on).
    ok = logger:set_primary_config(level, none),
    P = params(Mode),
    put(warm, maps:get(warm, P, 1000)),
    header(Mode),
    run(baseline_spawn, fun() -> baseline_spawn(maps:get(restarts, P)) end),
    run(restart_gs_kill, fun() ->
        restart_latency(gs, kill, maps:get(restarts, P), 1000000, 1) end),
    run(restart_gs_crash, fun() ->
        restart_latency(gs, crash, maps:get(restarts, P), 1000000, 1) end),
    run(restart_plain_kill, fun() ->
        restart_latency(plain, kill, maps:get(restarts, P), 1000000, 1) end),
    run(restart_gs_kill_period3600, fun() ->
        restart_latency(gs, kill, maps:get(restarts, P), 1000000, 3600) end),
    run(restart_gs_kill_freshsup100, fun() ->
        restart_latency_fresh(maps:get(restarts, P), 100) end),
    run(restart_gs_kill_freshsup10, fun() ->
        restart_latency_fresh(maps:get(restarts, P), 10) end),
    run(restart_gs_kill_freshsup1000, fun() ->
        restart_latency_fresh(maps:get(restarts, P), 1000) end),
    run(restart_gs_kill_freshsup100_logging, fun() ->
        with_logging(fun() ->
            restart_latency_fresh(maps:get(restarts, P), 100)
        end) end),
    run(one_for_all_100, fun() ->
        one_for_all(100, maps:get(ofa_rounds, P), gs) end),
    run(rest_for_one_100, fun() ->
        rest_for_one(100, maps:get(ofa_rounds, P)) end),
    run(escalation_100, fun() ->
        escalation(100, maps:get(esc_rounds, P)) end),
    run(scale_simple_one_for_one, fun() ->
        scale(simple, maps:get(scale_n, P)) end),
    run(scale_one_for_one_dynamic, fun() ->
        scale(one_for_one, maps:get(scale_n, P)) end),
    [run(tree_name(Shape), fun() -> tree(Shape, maps:get(Rounds, P)) end)
     || {Shape, Rounds} <- [{maps:get(tree_small, P, [10, 10, 10]), tree_rounds},
                            {maps:get(tree_big, P, [10, 10, 100]), tree_rounds_big},
                            {maps:get(tree_huge, P, [10, 100, 100]), tree_rounds_huge}]],
    io:format("~n# done~n"),
    ok.

params(smoke) ->
    %% Only that it runs: every row once with tiny counts (restarts must cover the fresh-sup
    %% batch of 1,000) and trees of a few processes.
    #{restarts => 1000, warm => 0, restarts_log => 100, ofa_rounds => 3,
      scale_n => 500, tree_rounds => 1, esc_rounds => 2, tree_rounds_big => 1,
      tree_rounds_huge => 1, tree_small => [2, 2, 2], tree_big => [2, 2, 5],
      tree_huge => [2, 5, 5]};
params(quick) ->
    #{restarts => 2000, restarts_log => 1000, ofa_rounds => 100,
      scale_n => 20000, tree_rounds => 20, esc_rounds => 20, tree_rounds_big => 3,
      tree_rounds_huge => 1};
params(_) ->
    #{restarts => 10000, restarts_log => 5000, ofa_rounds => 1000,
      scale_n => 100000, tree_rounds => 200, esc_rounds => 200, tree_rounds_big => 20,
      tree_rounds_huge => 3}.

tree_name([A, B, W]) ->
    list_to_atom(lists:flatten(io_lib:format("tree_~px~px~p", [A, B, W]))).

to_atom(A) when is_atom(A) -> A;
to_atom(L) when is_list(L) -> list_to_atom(L).

header(Mode) ->
    {ok, Vsn} = file:read_file(filename:join([code:root_dir(), "releases",
                                              erlang:system_info(otp_release),
                                              "OTP_VERSION"])),
    io:format("# otp_sup_bench mode=~p~n", [Mode]),
    io:format("# OTP ~s (erts ~s), schedulers_online=~p, logical_processors=~p,"
              " word_size=~p~n",
              [string:trim(binary_to_list(Vsn)), erlang:system_info(version),
               erlang:system_info(schedulers_online),
               erlang:system_info(logical_processors),
               erlang:system_info(wordsize)]),
    io:format("# process_limit=~p~n~n", [erlang:system_info(process_limit)]).

run(Name, Fun) ->
    erlang:garbage_collect(),
    flush_exits(),
    Res = Fun(),
    io:format("~-36s ~s~n", [Name, Res]),
    flush_exits(),
    ok.

%%%===================================================================
%%% Callbacks: supervisor init and gen_server child
%%%===================================================================

init({sup, Flags, Specs}) ->
    {ok, {Flags, Specs}};
init({child, Notify}) ->
    T = ?NOW,
    notify(Notify, T),
    {ok, Notify}.

handle_call(_Req, _From, S) -> {reply, ok, S}.
handle_cast(_Msg, S) -> {noreply, S}.

handle_info(crash, Notify) ->
    %% Stamp the crash moment, then crash the child (abnormal exit).
    Notify ! {crash_at, self(), ?NOW},
    {stop, crash, Notify};
handle_info(_Msg, S) ->
    {noreply, S}.

notify(undefined, _T) -> ok;
notify(Pid, T) -> Pid ! {up, self(), T}, ok.

%% gen_server child, linked to the caller (the supervisor)
start_gs_child(Notify) ->
    gen_server:start_link(?MODULE, {child, Notify}, []).

%% minimal proc_lib child (no gen_server machinery)
start_plain_child(Notify) ->
    proc_lib:start_link(?MODULE, plain_init, [self(), Notify]).

plain_init(Parent, Notify) ->
    T = ?NOW,
    notify(Notify, T),
    proc_lib:init_ack(Parent, {ok, self()}),
    plain_loop().

plain_loop() ->
    receive _ -> plain_loop() end.

start_sup(Flags, Specs) ->
    supervisor:start_link(?MODULE, {sup, Flags, Specs}).

child_mfa(gs, Notify) -> {?MODULE, start_gs_child, [Notify]};
child_mfa(plain, Notify) -> {?MODULE, start_plain_child, [Notify]}.

%% The bench process is the parent (start_link caller) so exit(Sup, shutdown)
%% triggers the regular supervisor shutdown (children in reverse start order).
stop_sup(Sup) ->
    T0 = ?NOW,
    exit(Sup, shutdown),
    receive {'EXIT', Sup, _} -> ok end,
    ?NOW - T0.

%%%===================================================================
%%% 0. Baseline
%%%===================================================================

baseline_spawn(N) ->
    Self = self(),
    L = [begin
             T0 = ?NOW,
             P = spawn(fun() -> Self ! {up, self(), ?NOW} end),
             receive {up, P, T1} -> T1 - T0 end
         end || _ <- lists:seq(1, N)],
    fmt_lat("spawn->first instr (us)", L).

%%%===================================================================
%%% 1. Restart latency (one_for_one, single permanent child)
%%%===================================================================

restart_latency(Kind, How, N, Intensity, Period) ->
    Self = self(),
    Warm = get(warm),
    Spec = #{id => c, start => child_mfa(Kind, Self), restart => permanent},
    {ok, Sup} = start_sup(#{strategy => one_for_one, intensity => Intensity,
                            period => Period}, [Spec]),
    Pid0 = receive {up, P, _} -> P end,
    {Child, Bench} = restart_loop(N + Warm, Pid0, How, [], []),
    _ = stop_sup(Sup),
    C = lists:nthtail(Warm, lists:reverse(Child)),
    B = lists:nthtail(Warm, lists:reverse(Bench)),
    [fmt_lat("crash->child init (us)", C), "  | ",
     fmt_lat("crash->bench notified (us)", B),
     io_lib:format("  | ~s", [throughput(N, C)])].

restart_loop(0, _Pid, _How, AccC, AccB) ->
    {AccC, AccB};
restart_loop(K, Pid, kill, AccC, AccB) ->
    T0 = ?NOW,
    exit(Pid, kill),
    receive {up, NewPid, T1} ->
            T2 = ?NOW,
            restart_loop(K - 1, NewPid, kill, [T1 - T0 | AccC], [T2 - T0 | AccB])
    end;
restart_loop(K, Pid, crash, AccC, AccB) ->
    Pid ! crash,
    T0 = receive {crash_at, Pid, T} -> T end,
    receive {up, NewPid, T1} ->
            T2 = ?NOW,
            restart_loop(K - 1, NewPid, crash, [T1 - T0 | AccC], [T2 - T0 | AccB])
    end.

%% Same as restart_latency(gs, kill, ...) but a fresh supervisor every Batch
%% restarts, so the supervisor's restart-history list (which OTP <= 27 scans
%% linearly on every restart) never grows beyond Batch entries.
restart_latency_fresh(N, Batch) ->
    Self = self(),
    Spec = #{id => c, start => child_mfa(gs, Self), restart => permanent},
    Warm = get(warm),
    Rounds = (N + Warm) div Batch,
    {C0, B0} = lists:foldl(
        fun(_, {AC, AB}) ->
            {ok, Sup} = start_sup(#{strategy => one_for_one,
                                    intensity => 1000000, period => 1}, [Spec]),
            Pid0 = receive {up, P, _} -> P end,
            {C, B} = restart_loop(Batch, Pid0, kill, [], []),
            _ = stop_sup(Sup),
            {C ++ AC, B ++ AB}
        end, {[], []}, lists:seq(1, Rounds)),
    C1 = lists:sublist(C0, N), B1 = lists:sublist(B0, N),
    [fmt_lat("crash->child init (us)", C1), "  | ",
     fmt_lat("crash->bench notified (us)", B1)].

with_logging(Fun) ->
    %% Default-ish production logging: primary level notice, supervisor and
    %% crash reports formatted by logger_std_h into /dev/null.
    {ok, #{config := _}} = logger:get_handler_config(default),
    ok = logger:remove_handler(default),
    ok = logger:add_handler(devnull, logger_std_h,
                            #{config => #{type => {file, "/dev/null"}}}),
    ok = logger:set_primary_config(level, notice),
    try Fun()
    after
        ok = logger:set_primary_config(level, none),
        ok = logger:remove_handler(devnull)
    end.

%%%===================================================================
%%% 2. one_for_all / rest_for_one with N children
%%%===================================================================

one_for_all(N, Rounds, Kind) ->
    Self = self(),
    Specs = [#{id => I, start => child_mfa(Kind, Self)} || I <- lists:seq(1, N)],
    {ok, Sup} = start_sup(#{strategy => one_for_all, intensity => 1000000,
                            period => 1}, Specs),
    Pids0 = [P || {P, _} <- collect_up(N, [])],
    Warm = max(10, Rounds div 10),
    {Lc, Lb} = group_rounds(Rounds + Warm, Pids0, N, fun(Pids) ->
                   lists:nth(rand:uniform(N), Pids) end, [], []),
    _ = stop_sup(Sup),
    C = lists:nthtail(Warm, lists:reverse(Lc)),
    B = lists:nthtail(Warm, lists:reverse(Lb)),
    [fmt_lat("crash->all 100 running (us)", C), "  | ",
     fmt_lat("crash->bench saw 100th (us)", B)].

%% rest_for_one: kill a uniformly random child; measure until every child
%% after it (and itself) is running again.
rest_for_one(N, Rounds) ->
    Self = self(),
    Specs = [#{id => I, start => child_mfa(gs, Self)} || I <- lists:seq(1, N)],
    {ok, Sup} = start_sup(#{strategy => rest_for_one, intensity => 1000000,
                            period => 1}, Specs),
    _ = collect_up(N, []),
    Warm = max(10, Rounds div 10),
    L = [begin
             Children = lists:reverse(supervisor:which_children(Sup)), % start order
             Pos = rand:uniform(N),
             {_, Victim, _, _} = lists:nth(Pos, Children),
             Expect = N - Pos + 1,
             T0 = ?NOW,
             exit(Victim, kill),
             Ups = collect_up(Expect, []),
             lists:max([T || {_, T} <- Ups]) - T0
         end || _ <- lists:seq(1, Rounds + Warm)],
    _ = stop_sup(Sup),
    fmt_lat("crash->tail running, random pos (us)", lists:nthtail(Warm, L)).

%% Escalation: intensity 0, N permanent children; killing one child makes the
%% supervisor give up: it terminates the other N-1 children (reverse start
%% order) and exits with reason `shutdown`.  Measures crash -> parent sees
%% {'EXIT', Sup, shutdown}.
escalation(N, Rounds) ->
    Specs = [#{id => I, start => child_mfa(gs, undefined)} || I <- lists:seq(1, N)],
    L = [begin
             {ok, Sup} = start_sup(#{strategy => one_for_one, intensity => 0,
                                     period => 5}, Specs),
             {_, Victim, _, _} = lists:nth(rand:uniform(N),
                                           supervisor:which_children(Sup)),
             T0 = ?NOW,
             exit(Victim, kill),
             receive {'EXIT', Sup, shutdown} -> ok;
                     {'EXIT', Sup, Other} -> exit({unexpected_reason, Other})
             end,
             ?NOW - T0
         end || _ <- lists:seq(1, Rounds)],
    fmt_lat("crash->parent got EXIT shutdown (us)", L).

group_rounds(0, _Pids, _N, _Pick, AccC, AccB) ->
    {AccC, AccB};
group_rounds(K, Pids, N, Pick, AccC, AccB) ->
    Victim = Pick(Pids),
    T0 = ?NOW,
    exit(Victim, kill),
    Ups = collect_up(N, []),
    T2 = ?NOW,
    Tmax = lists:max([T || {_, T} <- Ups]),
    NewPids = [P || {P, _} <- Ups],
    group_rounds(K - 1, NewPids, N, Pick, [Tmax - T0 | AccC], [T2 - T0 | AccB]).

collect_up(0, Acc) -> Acc;
collect_up(K, Acc) ->
    receive {up, P, T} -> collect_up(K - 1, [{P, T} | Acc]) end.

%%%===================================================================
%%% 3. Scale: N dynamic children
%%%===================================================================

scale(Strategy, N) ->
    erlang:garbage_collect(),
    M0 = erlang:memory(total),
    MP0 = erlang:memory(processes),
    PC0 = erlang:system_info(process_count),
    {ok, Sup} =
        case Strategy of
            simple ->
                start_sup(#{strategy => simple_one_for_one, intensity => 1,
                            period => 5},
                          [#{id => w, start => child_mfa(gs, undefined),
                             restart => permanent}]);
            one_for_one ->
                start_sup(#{strategy => one_for_one, intensity => 1,
                            period => 5}, [])
        end,
    StartFun =
        case Strategy of
            simple -> fun(_I) -> {ok, _} = supervisor:start_child(Sup, []) end;
            one_for_one ->
                fun(I) -> {ok, _} = supervisor:start_child(
                                      Sup, #{id => I,
                                             start => child_mfa(gs, undefined),
                                             restart => permanent})
                end
        end,
    T0 = ?NOW,
    lists:foreach(StartFun, lists:seq(1, N)),
    T1 = ?NOW,
    erlang:garbage_collect(),
    M1 = erlang:memory(total),
    MP1 = erlang:memory(processes),
    PC1 = erlang:system_info(process_count),
    {memory, SupMem} = erlang:process_info(Sup, memory),
    [{active, Active} | _] = lists:keysort(1, [lists:keyfind(active, 1,
                                 supervisor:count_children(Sup))]),
    Tw0 = ?NOW,
    _ = supervisor:which_children(Sup),
    Tw1 = ?NOW,
    ShutNs = stop_sup(Sup),
    erlang:garbage_collect(),
    M2 = erlang:memory(total),
    io_lib:format("N=~p active=~p procs+~p | start all: ~.1f ms (~.2f us/child,"
                  " ~w children/s) | mem total: ~w B/child, processes: ~w"
                  " B/child, sup heap ~.1f MB | which_children: ~.1f ms |"
                  " shutdown sup: ~.1f ms | mem after shutdown +~.1f MB",
                  [N, Active, PC1 - PC0,
                   (T1 - T0) / 1.0e6, (T1 - T0) / 1.0e3 / N,
                   round(N / ((T1 - T0) / 1.0e9)),
                   round((M1 - M0) / N), round((MP1 - MP0) / N), SupMem / 1048576,
                   (Tw1 - Tw0) / 1.0e6, ShutNs / 1.0e6,
                   (M2 - M0) / 1048576]).

%%%===================================================================
%%% 4. Nested tree
%%%===================================================================

%% Levels = [A, B, W]: root one_for_one with A child supervisors, each with B
%% child supervisors, each with W gen_server workers (A*B*W workers,
%% 1 + A + A*B supervisors).
tree(Levels = [A, B, W], Rounds) ->
    Workers = A * B * W,
    Sups = 1 + A + A * B,
    Res = [tree_round(Levels) || _ <- lists:seq(1, Rounds + 1)],
    [_Warm | Rest] = Res,
    Starts = [S || {S, _} <- Rest],
    Stops = [S || {_, S} <- Rest],
    io_lib:format("~p workers + ~p sups, ~p rounds | startup: ~s | shutdown: ~s",
                  [Workers, Sups, Rounds, fmt_ms(Starts), fmt_ms(Stops)]).

tree_round([A, B, W]) ->
    Flags = #{strategy => one_for_one, intensity => 1, period => 5},
    WorkerSpecs = [#{id => I, start => child_mfa(gs, undefined)}
                   || I <- lists:seq(1, W)],
    LeafSup = fun(I) -> #{id => I, type => supervisor,
                          start => {supervisor, start_link,
                                    [?MODULE, {sup, Flags, WorkerSpecs}]}}
              end,
    MidSpecs = [LeafSup(I) || I <- lists:seq(1, B)],
    MidSup = fun(I) -> #{id => I, type => supervisor,
                         start => {supervisor, start_link,
                                   [?MODULE, {sup, Flags, MidSpecs}]}}
             end,
    RootSpecs = [MidSup(I) || I <- lists:seq(1, A)],
    T0 = ?NOW,
    {ok, Root} = start_sup(Flags, RootSpecs),
    T1 = ?NOW,
    Stop = stop_sup(Root),
    {T1 - T0, Stop}.

%%%===================================================================
%%% Stats / formatting
%%%===================================================================

pct(Sorted, Len, P) ->
    Idx = max(1, min(Len, round(math:ceil(P * Len)))),
    lists:nth(Idx, Sorted).

stats(L) ->
    S = lists:sort(L),
    Len = length(S),
    #{n => Len, min => hd(S), p50 => pct(S, Len, 0.50), p90 => pct(S, Len, 0.90),
      p99 => pct(S, Len, 0.99), p999 => pct(S, Len, 0.999),
      max => lists:last(S), mean => lists:sum(S) / Len}.

fmt_lat(Label, L) ->
    #{n := N, min := Min, p50 := P50, p90 := P90, p99 := P99, p999 := P999,
      max := Max, mean := Mean} = stats(L),
    io_lib:format("~s n=~p min=~.1f p50=~.1f p90=~.1f p99=~.1f p99.9=~.1f"
                  " max=~.1f mean=~.1f",
                  [Label, N, Min / 1.0e3, P50 / 1.0e3, P90 / 1.0e3, P99 / 1.0e3,
                   P999 / 1.0e3, Max / 1.0e3, Mean / 1.0e3]).

fmt_ms(L) ->
    #{p50 := P50, p99 := P99, max := Max, min := Min} = stats(L),
    io_lib:format("min=~.2f p50=~.2f p99=~.2f max=~.2f ms",
                  [Min / 1.0e6, P50 / 1.0e6, P99 / 1.0e6, Max / 1.0e6]).

throughput(N, L) ->
    io_lib:format("~w restarts/s (serial)", [round(N / (lists:sum(L) / 1.0e9))]).

flush_exits() ->
    receive {'EXIT', _, _} -> flush_exits();
            {up, _, _} -> flush_exits();
            {crash_at, _, _} -> flush_exits()
    after 0 -> ok
    end.
