%% The Erlang side of the differential test (decision 0012): runs command sequences on the real
%% OTP `supervisor` with controllable children and prints what it observes, one JSON line per
%% command. Read by otpRunner.ts; compiled at test time with erlc into a temporary directory.
%%
%% Protocol: each stdin line is one Erlang term ending in '.':
%%   {setup, #{strategy, intensity, auto_shutdown}, [Spec]}   Spec = #{id, restart, shutdown, significant, deaf, kids}
%%   {Cmd, ...} (see command/1)   finish
%% Every reply is {"reply": Reply, "obs": Observation} on one line of stdout.
-module(otp_diff).
-behaviour(supervisor).
-export([main/0, init/1, start_worker/2, start_sup/3]).

-define(PERIOD, 3600). %% seconds: the window never expires during a sequence (time is not compared)

main() ->
    logger:set_primary_config(level, none),
    ets:new(diff, [named_table, public, set]),
    ets:new(diff_log, [named_table, public, ordered_set]),
    Logger = spawn(fun logger/0),
    register(diff_logger, Logger),
    process_flag(trap_exit, true),
    loop(undefined).

loop(Root) ->
    case io:get_line('') of
        eof -> halt(0);
        Line ->
            {ok, Tokens, _} = erl_scan:string(Line),
            {ok, Term} = erl_parse:parse_term(Tokens),
            {Reply, Root1} = command(Term, Root),
            settle(),
            io:put_chars([json(#{reply => Reply, obs => observe(Root1)}), $\n]),
            loop(Root1)
    end.

%% ---- commands ------------------------------------------------------------------------------

command({setup, Flags, Specs}, _) ->
    ets:delete_all_objects(diff), ets:delete_all_objects(diff_log),
    ets:insert(diff, {seq, 0}),
    flush_exits(),
    case start_sup(root, Flags, Specs) of
        {ok, Pid} -> ets:insert(diff, {root_exit, none}), {ok, Pid};
        {error, Reason} -> flush_exits(), ets:insert(diff, {root_exit, start_failed}), {{error, start_error(Reason)}, undefined}
    end;
command(finish, Root) ->
    case is_pid(Root) andalso is_process_alive(Root) of
        true -> unlink(Root), exit(Root, shutdown), wait_down(Root);
        false -> ok
    end,
    flush_exits(),
    ets:insert(diff, {root_exit, finished}),
    {ok, undefined};
command(_, undefined) -> {not_running, undefined};
command(Cmd, Root) ->
    case is_process_alive(Root) of
        false -> {not_running, Root};
        true -> {manual(Cmd, Root), Root}
    end.

manual({signal, Id, What}, _Root) ->
    case child_pid(Id) of
        undefined -> not_running;
        Pid when What =:= kill -> exit(Pid, kill), ok;
        Pid -> Pid ! What, ok
    end;
manual({fail_starts, Id, N}, _) -> ets:insert(diff, {{fail, Id}, N}), ok;
manual({terminate, Id}, Root) -> reply(supervisor:terminate_child(Root, Id));
manual({restart, Id}, Root) -> reply(supervisor:restart_child(Root, Id));
manual({delete, Id}, Root) -> reply(supervisor:delete_child(Root, Id));
manual({start_child, Spec}, Root) -> reply(supervisor:start_child(Root, child_spec(Spec)));
%% simple_one_for_one: start_child(Sup, [Id]) appends the id to the template's args.
manual({start_dynamic, Id}, Root) -> reply(supervisor:start_child(Root, [Id]));
manual({terminate_dynamic, Id}, Root) ->
    case child_pid(Id) of
        undefined -> {error, not_found};
        Pid -> reply(supervisor:terminate_child(Root, Pid))
    end.

reply(ok) -> ok;
reply({ok, _}) -> ok;
reply({ok, _, _}) -> ok;
reply({error, {already_started, _}}) -> {error, already_started};
reply({error, {{already_started, _}, _}}) -> {error, already_started};
%% A start function's own error comes back as it is; trellis wraps it in failed_to_start_child.
reply({error, scripted}) -> {error, failed_to_start_child};
reply({error, Atom}) when is_atom(Atom) -> {error, Atom};
reply({error, _}) -> {error, failed_to_start_child}.

start_error({shutdown, {failed_to_start_child, Id, _}}) -> {failed_to_start_child, Id};
start_error(Other) -> Other.

%% ---- supervisors and children --------------------------------------------------------------

start_sup(Name, Flags, Specs) ->
    case supervisor:start_link(?MODULE, {Name, Flags, Specs}) of
        {ok, Pid} ->
            ets:insert(diff, {{sup, Name}, Pid}),
            %% A child supervisor's end is logged; its start shows as its children's starts.
            Name =/= root andalso begin diff_logger ! {watch, Pid, Name} end,
            {ok, Pid};
        Other -> Other
    end.

init({_Name, Flags, Specs}) ->
    #{strategy := Strategy, intensity := Intensity, auto_shutdown := Auto} = Flags,
    SupFlags = #{strategy => Strategy, intensity => Intensity, period => ?PERIOD, auto_shutdown => Auto},
    {ok, {SupFlags, [child_spec(S) || S <- Specs]}}.

child_spec(#{id := Id, restart := Restart, shutdown := Shutdown, significant := Sig} = S) ->
    Base = #{id => Id, restart => Restart, shutdown => Shutdown, significant => Sig},
    case S of
        #{kids := {sup, Flags, Kids}} ->
            Base#{start => {?MODULE, start_sup, [Id, Flags, Kids]}, type => supervisor};
        #{template := true} ->
            Base#{start => {?MODULE, start_worker, [maps:get(deaf, S, false)]}, type => worker};
        _ ->
            Base#{start => {?MODULE, start_worker, [maps:get(deaf, S, false), Id]}, type => worker}
    end.

%% A worker: fails its start while told to; otherwise a process that traps exits (so its end is
%% observed), ends on command, and ignores the supervisor's `shutdown` when deaf.
start_worker(Deaf, Id) ->
    case ets:lookup(diff, {fail, Id}) of
        [{_, always}] -> log(fail, Id), {error, scripted};
        [{_, N}] when N > 0 -> ets:insert(diff, {{fail, Id}, N - 1}), log(fail, Id), {error, scripted};
        _ ->
            Parent = self(),
            Pid = spawn_link(fun() -> process_flag(trap_exit, true), worker(Parent, Deaf) end),
            ets:insert(diff, {{pid, Id}, Pid}),
            diff_logger ! {watch, Pid, Id},
            log(start, Id),
            {ok, Pid}
    end.

worker(Parent, Deaf) ->
    receive
        crash -> exit(crash);
        normal -> exit(normal);
        shutdown -> exit(shutdown);
        {'EXIT', Parent, _} when Deaf -> worker(Parent, Deaf);
        {'EXIT', Parent, Reason} -> exit(Reason);
        _ -> worker(Parent, Deaf)
    end.

child_pid(Id) ->
    case ets:lookup(diff, {pid, Id}) of
        [{_, Pid}] -> case is_process_alive(Pid) of true -> Pid; false -> undefined end;
        [] -> undefined
    end.

%% Ends are logged by one monitoring process, in the order their 'DOWN' arrives.
logger() ->
    receive
        {watch, Pid, Id} -> erlang:monitor(process, Pid, [{tag, {down, Id}}]), logger();
        {{down, Id}, _, process, _, _} -> log(down, Id), logger();
        {sync, From} -> From ! synced, logger()
    end.

log(What, Id) ->
    N = ets:update_counter(diff, seq, 1),
    ets:insert(diff_log, {N, What, Id}).

%% ---- quiet ---------------------------------------------------------------------------------

%% Waits until every supervisor is idle in its receive loop with an empty mailbox and the log has
%% stopped growing: a restart loop (try_again_restart casts) or a deaf child's shutdown timer
%% keeps a supervisor busy.
settle() -> settle(snapshot(), 0).
settle(Prev, Stable) when Stable >= 3 -> Prev;
settle(Prev, Stable) ->
    timer:sleep(2),
    diff_logger ! {sync, self()}, receive synced -> ok end,
    Now = snapshot(),
    case Now =:= Prev andalso idle() of
        true -> settle(Now, Stable + 1);
        false -> settle(Now, 0)
    end.

snapshot() -> {ets:lookup(diff, seq), [P || {{sup, _}, P} <- ets:tab2list(diff), is_process_alive(P)]}.

idle() ->
    lists:all(fun({{sup, _}, P}) ->
                      case erlang:process_info(P, [message_queue_len, current_function]) of
                          undefined -> true;
                          [{message_queue_len, 0}, {current_function, {gen_server, loop, _}}] -> true;
                          %% proc_lib:sync_start*: waiting for a child supervisor's init, which may
                          %% itself be busy (stopping deaf children after a failed start): not idle.
                          [{message_queue_len, 0}, {current_function, {proc_lib, F, _}}] -> not lists:prefix("sync", atom_to_list(F));
                          [{message_queue_len, 0}, {current_function, {gen, _, _}}] -> false;
                          _ -> false
                      end;
                 (_) -> true
              end, ets:tab2list(diff)).

flush_exits() -> receive {'EXIT', _, _} -> flush_exits() after 0 -> ok end.

wait_down(Pid) ->
    Ref = erlang:monitor(process, Pid),
    receive {'DOWN', Ref, _, _, _} -> ok after 10000 -> erlang:error(hang) end.

%% ---- observation ---------------------------------------------------------------------------

observe(Root) ->
    {Exit, Sups} = observe_tree(Root, 20),
    Log = [[What, Id] || {_, What, Id} <- ets:tab2list(diff_log)],
    ets:delete_all_objects(diff_log),
    #{exit => Exit, sups => Sups, log => Log}.

%% A nested supervisor can still be on its way out when the tree looks idle (say, one that shut
%% itself down through auto_shutdown while its parent had not yet read the EXIT): a call to it then
%% exits. Such a tree was not quiet: settle again and look again, rather than report a half-seen tree.
observe_tree(Root, Tries) ->
    case root_exit(Root) of
        none ->
            try {none, tree(Root)}
            catch exit:_ when Tries > 0 -> settle(), observe_tree(Root, Tries - 1)
            end;
        Exit -> {Exit, []}
    end.

root_exit(undefined) -> [{_, E}] = ets:lookup(diff, root_exit), E;
root_exit(Root) ->
    case ets:lookup(diff, root_exit) of
        [{_, none}] -> root_exit_now(Root);
        [{_, E}] -> E
    end.

root_exit_now(Root) ->
    receive {'EXIT', Root, Reason} -> ets:insert(diff, {root_exit, Reason}), Reason
    after 0 ->
            case is_process_alive(Root) of
                true -> none;
                false -> receive {'EXIT', Root, Reason} -> ets:insert(diff, {root_exit, Reason}), Reason
                         after 1000 -> erlang:error(no_exit) end
            end
    end.

%% Every live supervisor of the tree, depth first: its which_children and count_children.
tree(Sup) ->
    Kids = supervisor:which_children(Sup),
    Counts = maps:from_list(supervisor:count_children(Sup)),
    Rows = [[id(Id), status(P), Type] || {Id, P, Type, _} <- Kids],
    Self = #{children => Rows, counts => [maps:get(K, Counts) || K <- [specs, active, supervisors, workers]]},
    Nested = lists:append([[{id(Id), T} || T <- [tree(P)]] || {Id, P, supervisor, _} <- Kids, is_pid(P)]),
    [Self#{path => root} | [T#{path => Id} || {Id, Ts} <- Nested, T <- flatten(Ts)]].

flatten(L) when is_list(L) -> L.

id(undefined) -> dynamic;
id(Id) -> Id.

status(P) when is_pid(P) -> running;
status(undefined) -> stopped;
status(restarting) -> restarting.

%% ---- a tiny JSON encoder (OTP 25 has none) -------------------------------------------------

json(M) when is_map(M) ->
    ["{", lists:join(",", [[json(atom_to_binary(K)), ":", json(V)] || {K, V} <- lists:sort(maps:to_list(M))]), "}"];
json(L) when is_list(L) -> ["[", lists:join(",", [json(X) || X <- L]), "]"];
json(B) when is_binary(B) -> [$", B, $"];
json(true) -> "true";
json(false) -> "false";
json(N) when is_integer(N) -> integer_to_list(N);
json(A) when is_atom(A) -> json(atom_to_binary(A));
json(T) when is_tuple(T) -> json(tuple_to_list(T));
json(P) when is_pid(P) -> json(<<"pid">>);
json(Other) -> json(iolist_to_binary(io_lib:format("~0p", [Other]))).
