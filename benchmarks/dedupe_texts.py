"""Short Italian sports articles written for this repository, the raw material of the labelled pairs.

Players, coaches and quotes are invented (clubs, venues and competitions are real), so nothing here
reports a real event or copies a publisher's text. Articles that share a ``topic`` are independent
reports of the same event by different outlets: the hard negatives of benchmarks/dedupe.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """One article: the outlet that ran it, its headline and its paragraphs."""

    key: str
    outlet: str
    topic: str
    """Articles with the same topic report the same event (match, rumour, press conference)."""
    kind: str
    """report, live, rumour, news, preview."""
    title: str
    paragraphs: tuple[str, ...]


TEXTS: tuple[Text, ...] = (
    # --- Inter-Milan 2-1: two reports and a live blog -------------------------------------------
    Text(
        "derby_gazzetta",
        "gazzetta",
        "derby",
        "report",
        "L'Inter vince il derby: Moreno e Castelli piegano il Milan",
        (
            "Il derby della Madonnina si tinge di nerazzurro. L'Inter batte il Milan 2-1 a San Siro e allunga in "
            "classifica, lasciando i rossoneri a sette punti di distanza dopo una partita intensa e nervosa.",
            "Parte forte la squadra di casa, che dopo appena undici minuti trova il vantaggio con Moreno, bravo a "
            "girare sul secondo palo un cross basso di Ferri. Il Milan fatica a uscire dalla propria metà campo e "
            "rischia di subire il raddoppio in più di un'occasione.",
            "Nella ripresa i rossoneri cambiano volto. Al 58' Santoro pareggia con un sinistro dal limite che si "
            "infila sotto la traversa, e per qualche minuto la partita sembra girare a favore degli ospiti.",
            "Ci pensa però Castelli, entrato dalla panchina, a decidere la sfida: al 77' il centrocampista anticipa "
            "tutti di testa su calcio d'angolo e fa esplodere la curva. Nel finale il Milan protesta per un contatto "
            "in area, ma l'arbitro lascia correre dopo un breve consulto con il Var.",
            "Per i nerazzurri è la quinta vittoria consecutiva in campionato. Il Milan invece torna a casa con "
            "molti dubbi e una classifica che comincia a preoccupare.",
        ),
    ),
    Text(
        "derby_cds",
        "cds",
        "derby",
        "report",
        "Derby, Castelli fa impazzire San Siro. Il Milan si arrende",
        (
            "Una zuccata di Castelli a tredici minuti dalla fine regala all'Inter il derby numero 241 della storia. "
            "Finisce 2-1 davanti a settantacinquemila spettatori, in una serata fredda ma piena di emozioni.",
            "L'avvio è tutto nerazzurro: pressing alto, palloni recuperati sulla trequarti e il gol di Moreno già "
            "all'undicesimo, con una deviazione morbida che sorprende il portiere rossonero. Pioli chiede ai suoi di "
            "abbassarsi e per mezz'ora il Milan non tira mai in porta.",
            "Dopo l'intervallo entra un'altra squadra. Santoro si accende, prima colpisce un palo e poi trova "
            "l'angolino con un tiro da fuori che vale l'uno a uno. L'Inter accusa il colpo e si affida alle "
            "ripartenze.",
            "La svolta arriva dalla panchina. Castelli, in campo da un quarto d'ora, svetta più in alto di tutti "
            "sul corner battuto da Ferri e firma il sorpasso. Gli ultimi minuti sono un assedio rossonero senza "
            "lucidità, con un rigore reclamato che il Var non concede.",
            "Nel dopopartita l'allenatore nerazzurro parla di una vittoria di carattere, mentre dall'altra parte "
            "si contano i punti persi e i tanti errori sotto porta.",
        ),
    ),
    Text(
        "derby_live_cds",
        "cds",
        "derby",
        "live",
        "Inter-Milan 2-1, la diretta del derby minuto per minuto",
        (
            "90'+4 - Finisce qui! L'Inter vince il derby 2-1 e vola in testa alla classifica.",
            "88' - Ultimo cambio per il Milan: dentro Rinaldi per Bonetti. Gli ospiti provano il tutto per tutto.",
            "81' - Proteste rossonere per un contatto in area su Santoro. L'arbitro va al monitor? No, il Var "
            "conferma la decisione di campo.",
            "77' - GOL DELL'INTER! Castelli di testa sul calcio d'angolo di Ferri, nerazzurri di nuovo avanti.",
            "62' - Cambio Inter: esce Lodi, entra Castelli.",
            "58' - GOL DEL MILAN! Santoro dal limite, sinistro sotto la traversa: uno a uno.",
            "46' - Si riparte, nessun cambio all'intervallo.",
            "45'+2 - Fine primo tempo, Inter avanti di un gol.",
            "11' - GOL DELL'INTER! Moreno devia sul secondo palo il cross basso di Ferri.",
            "1' - Fischio d'inizio a San Siro, si gioca davanti al tutto esaurito.",
        ),
    ),
    # --- Napoli-Juventus 1-1 -------------------------------------------------------------------
    Text(
        "napoli_juve_tuttosport",
        "tuttosport",
        "napoli_juve",
        "report",
        "Napoli-Juve 1-1, Vlasic risponde a Esposito nel finale",
        (
            "La Juventus esce dal Maradona con un punto prezioso. Al gol di Esposito nel primo tempo risponde "
            "Vlasic a otto minuti dalla fine, al termine di una gara in cui i bianconeri hanno sofferto a lungo.",
            "Il Napoli passa al 34' con un'azione corale: Lombardi apre per Greco, cross teso e colpo di testa di "
            "Esposito che non lascia scampo al portiere. Fino all'intervallo i padroni di casa sfiorano più volte "
            "il raddoppio.",
            "Nella ripresa la Juventus alza il baricentro e il tecnico inserisce due attaccanti. La pressione "
            "cresce e all'82' Vlasic raccoglie una respinta corta della difesa e batte a rete da pochi passi.",
            "Il pareggio lascia le due squadre appaiate in classifica, a tre lunghezze dalla vetta. Per la Juve "
            "è il terzo risultato utile di fila in trasferta.",
        ),
    ),
    Text(
        "napoli_juve_gazzetta",
        "gazzetta",
        "napoli_juve",
        "report",
        "Il Napoli si fa raggiungere: con la Juve è solo pari",
        (
            "Al Maradona finisce in parità una sfida che il Napoli aveva in pugno. Esposito porta avanti gli "
            "azzurri prima dell'intervallo, Vlasic firma l'uno a uno quando mancano pochi minuti al novantesimo.",
            "Gli uomini di casa giocano un primo tempo di qualità, con un palleggio rapido che mette in difficoltà "
            "il centrocampo bianconero. Il vantaggio arriva con una bella incornata di Esposito, servito da Greco "
            "sulla fascia destra.",
            "La Juventus, però, non molla. Dopo un'ora di gioco cambia modulo, passa al 4-2-4 e schiaccia il "
            "Napoli nella propria area. Il pari nasce da una mischia: la difesa respinge male e Vlasic è il più "
            "lesto di tutti.",
            "Resta il rammarico per le occasioni sprecate nel primo tempo. Lo stadio applaude comunque la "
            "squadra, che resta imbattuta in casa da inizio stagione.",
        ),
    ),
    Text(
        "napoli_juve_live_gazzetta",
        "gazzetta",
        "napoli_juve",
        "live",
        "Napoli-Juventus, la cronaca in diretta: finisce 1-1",
        (
            "95' - Triplice fischio al Maradona: Napoli e Juventus si dividono la posta, 1-1.",
            "90' - Saranno cinque i minuti di recupero.",
            "82' - GOL DELLA JUVENTUS! Vlasic raccoglie una respinta corta e pareggia da pochi passi.",
            "70' - Doppio cambio bianconero, la Juventus passa a quattro attaccanti.",
            "55' - Occasione Napoli: Lombardi calcia a giro, pallone di poco a lato.",
            "45' - Si chiude il primo tempo, azzurri avanti con merito.",
            "34' - GOL DEL NAPOLI! Cross di Greco dalla destra, Esposito di testa la mette nell'angolo.",
            "20' - Ritmi alti, il Napoli tiene il pallino del gioco.",
            "1' - Si comincia! Primo pallone giocato dalla Juventus.",
        ),
    ),
    # --- Roma-Lazio 0-2 -----------------------------------------------------------------------------
    Text(
        "roma_lazio_cds",
        "cds",
        "roma_lazio",
        "report",
        "La Lazio domina il derby: doppietta di Parisi",
        (
            "Il derby della Capitale è biancoceleste. La Lazio supera la Roma 2-0 all'Olimpico grazie a una "
            "doppietta di Parisi e conquista tre punti pesantissimi nella corsa all'Europa.",
            "Il primo gol arriva al 23': Parisi riceve al limite, si libera con una finta e calcia di destro "
            "sul palo lontano. La Roma prova a reagire ma le sue iniziative si spengono sulla trequarti.",
            "All'inizio della ripresa i giallorossi restano in dieci per l'espulsione di Martini, punito con il "
            "secondo giallo per un intervento in ritardo. La Lazio gestisce e al 71' chiude i conti ancora con "
            "Parisi, in contropiede.",
            "Per la Roma è la seconda sconfitta consecutiva. I tifosi fischiano la squadra al momento del ritorno "
            "negli spogliatoi.",
        ),
    ),
    Text(
        "roma_lazio_tuttosport",
        "tuttosport",
        "roma_lazio",
        "report",
        "Parisi show, la Roma crolla nel derby",
        (
            "Una serata da ricordare per Alessio Parisi, che decide il derby con due gol e trascina la Lazio al "
            "successo per due a zero. Sponda giallorossa, invece, è notte fonda.",
            "L'attaccante biancoceleste sblocca la gara poco dopo il ventesimo con un destro preciso, poi sfiora "
            "il bis colpendo la traversa prima dell'intervallo. La Roma tiene il possesso ma non crea.",
            "Il rosso a Martini a inizio secondo tempo complica tutto per la squadra di casa. In superiorità "
            "numerica la Lazio aspetta e colpisce: ripartenza veloce e Parisi a tu per tu con il portiere non "
            "sbaglia.",
            "La classifica ora sorride ai biancocelesti, che scavalcano proprio i cugini. Per la Roma una "
            "settimana complicata, con la panchina dell'allenatore che torna in discussione.",
        ),
    ),
    # --- Atalanta-Fiorentina 3-2 ---------------------------------------------------------------------
    Text(
        "atalanta_fiorentina_gazzetta",
        "gazzetta",
        "atalanta_fiorentina",
        "report",
        "Atalanta-Fiorentina 3-2, rimonta nerazzurra a Bergamo",
        (
            "Cinque gol e una rimonta da applausi a Bergamo. L'Atalanta, sotto di due reti dopo mezz'ora, batte "
            "la Fiorentina 3-2 con una ripresa travolgente.",
            "I viola partono fortissimo: Galli segna al 9' su punizione e Rossetti raddoppia al 28' sfruttando un "
            "errore in disimpegno. Il pubblico di casa rumoreggia.",
            "Dopo l'intervallo cambia tutto. Kovač accorcia al 51', Ruggeri pareggia al 64' con un tiro "
            "dal limite e al 79' ancora Kovač, di testa, completa la rimonta.",
            "L'Atalanta sale così al quarto posto. La Fiorentina recrimina per un secondo tempo senza energie.",
        ),
    ),
    Text(
        "atalanta_fiorentina_skysport",
        "skysport",
        "atalanta_fiorentina",
        "report",
        "Kovač trascina la Dea: Fiorentina ribaltata",
        (
            "Un secondo tempo perfetto basta all'Atalanta per rimontare due gol alla Fiorentina e vincere 3-2. "
            "Decisiva la doppietta di Kovač, entrato a sorpresa tra i titolari.",
            "Nel primo tempo la squadra toscana sembra padrona del campo. Galli apre con una punizione a giro, "
            "Rossetti approfitta di un passaggio sbagliato all'indietro e firma il due a zero.",
            "Negli spogliatoi il tecnico bergamasco cambia due uomini e alza il ritmo. Kovač accorcia, Ruggeri "
            "trova il pareggio con una conclusione potente e nel finale è ancora il centravanti croato a "
            "completare l'opera con un colpo di testa.",
            "Per i viola è la terza sconfitta nelle ultime quattro partite.",
        ),
    ),
    # --- Transfer rumours: Ferreyra to Juventus ----------------------------------------------------
    Text(
        "ferreyra_calciomercato",
        "calciomercato",
        "ferreyra",
        "rumour",
        "Juve, assalto a Ferreyra: pronta un'offerta da 40 milioni",
        (
            "La Juventus accelera per Tomás Ferreyra. Secondo quanto filtra da ambienti vicini al club, la "
            "dirigenza bianconera è pronta a presentare un'offerta da 40 milioni di euro più bonus al Benfica "
            "per l'attaccante argentino.",
            "Il giocatore, classe 2002, ha già dato la sua disponibilità al trasferimento e avrebbe un accordo "
            "di massima per un contratto di cinque anni. Resta da convincere il club portoghese, che chiede "
            "almeno 50 milioni.",
            "Sul centravanti c'è anche l'interesse di alcune squadre inglesi, ma la volontà del ragazzo di "
            "giocare in Serie A potrebbe fare la differenza. Nei prossimi giorni è previsto un incontro a "
            "Lisbona tra le parti.",
        ),
    ),
    Text(
        "ferreyra_tmw",
        "tmw",
        "ferreyra",
        "rumour",
        "Ferreyra-Juventus, il Benfica alza il muro",
        (
            "Non sarà una trattativa semplice quella tra Juventus e Benfica per Tomás Ferreyra. Il club "
            "lusitano non ha intenzione di fare sconti e valuta l'argentino non meno di 50 milioni di euro.",
            "I bianconeri, che hanno individuato nel classe 2002 il rinforzo ideale per l'attacco, non "
            "vorrebbero andare oltre i 40 milioni, bonus compresi. L'entourage del giocatore spinge per il "
            "trasferimento in Italia.",
            "In Premier League almeno due club seguono la situazione e potrebbero inserirsi con offerte più "
            "alte. La sensazione è che la Juventus debba fare in fretta se vuole chiudere prima della fine di "
            "gennaio.",
        ),
    ),
    Text(
        "ferreyra_tuttosport",
        "tuttosport",
        "ferreyra",
        "rumour",
        "Ferreyra vuole solo la Juve",
        (
            "Tomás Ferreyra ha scelto la Juventus. L'attaccante argentino del Benfica ha fatto sapere ai suoi "
            "agenti di preferire il trasferimento a Torino rispetto alle offerte arrivate dall'Inghilterra.",
            "La distanza tra domanda e offerta resta di circa dieci milioni, ma a Torino c'è fiducia. Il "
            "direttore sportivo bianconero conosce bene i dirigenti portoghesi e punta a una formula con "
            "pagamento dilazionato in tre esercizi.",
            "Ferreyra in questa stagione ha segnato 14 gol in 22 partite ufficiali, attirando l'attenzione dei "
            "principali club europei.",
        ),
    ),
    # --- Esposito renewal --------------------------------------------------------------------------
    Text(
        "esposito_gazzetta",
        "gazzetta",
        "esposito",
        "news",
        "Napoli, Esposito rinnova fino al 2030",
        (
            "Davide Esposito resta al Napoli. L'attaccante napoletano ha firmato il rinnovo del contratto fino "
            "al giugno 2030 con un ingaggio che passa da 2,5 a 4 milioni di euro a stagione.",
            "L'accordo, raggiunto dopo settimane di trattative, prevede anche una clausola rescissoria valida "
            "solo per l'estero. Il presidente ha voluto blindare uno dei simboli della squadra.",
            "Esposito, cresciuto nel vivaio azzurro, ha segnato 9 gol in questa stagione ed è diventato un punto "
            "fermo anche della Nazionale.",
        ),
    ),
    Text(
        "esposito_cds",
        "cds",
        "esposito",
        "news",
        "Esposito, firma e festa: «Napoli è casa mia»",
        (
            "Il rinnovo è ufficiale: Davide Esposito legherà il suo futuro al Napoli fino al 2030. Lo ha "
            "annunciato il club con un comunicato diffuso in mattinata.",
            "«Napoli è casa mia, non ho mai pensato di andare via», ha detto l'attaccante dopo la firma. Il nuovo "
            "contratto porta il suo stipendio a quattro milioni netti più bonus legati ai gol.",
            "Nelle ultime settimane si erano fatte avanti alcune squadre straniere, ma il giocatore ha sempre "
            "messo al primo posto la maglia azzurra.",
        ),
    ),
    # --- Bernardini injury ------------------------------------------------------------------------
    Text(
        "bernardini_gazzetta",
        "gazzetta",
        "bernardini",
        "news",
        "Inter, stop per Bernardini: lesione al flessore",
        (
            "Brutte notizie per l'Inter. Gli esami strumentali a cui si è sottoposto Luca Bernardini hanno "
            "evidenziato una lesione di secondo grado al bicipite femorale della coscia destra.",
            "Il difensore si era fermato durante l'allenamento di mercoledì, accusando un dolore improvviso. I "
            "tempi di recupero sono stimati in circa un mese.",
            "Bernardini salterà quindi il derby e le due partite di Champions League del girone. Al suo posto "
            "dovrebbe giocare il giovane Colombo.",
        ),
    ),
    Text(
        "bernardini_skysport",
        "skysport",
        "bernardini",
        "news",
        "Bernardini ko, l'Inter perde un titolare",
        (
            "L'Inter dovrà fare a meno di Luca Bernardini per almeno quattro settimane. Il club ha comunicato "
            "l'esito degli esami: lesione di secondo grado al flessore della gamba destra.",
            "L'infortunio è avvenuto nella seduta di metà settimana, durante una partitella. Il giocatore ha "
            "lasciato il campo zoppicando e si è subito sottoposto a un controllo.",
            "Un'assenza pesante per la difesa nerazzurra, che nelle prossime settimane affronterà un calendario "
            "fittissimo tra campionato e coppe. In rampa di lancio c'è Colombo, diciannove anni.",
        ),
    ),
    # --- Press conference (shared quotes) ------------------------------------------------------------
    Text(
        "valenti_bologna_ansa",
        "ansa",
        "valenti",
        "preview",
        "Bologna, Valenti: «Col Torino serve personalità»",
        (
            "Alla vigilia della sfida con il Torino, l'allenatore del Bologna Paolo Valenti ha presentato la "
            "partita in conferenza stampa a Casteldebole.",
            "«Serve una partita di personalità, il Torino è una squadra fisica e ci metterà in difficoltà se "
            "non saremo concentrati», ha spiegato il tecnico rossoblù.",
            "Sulle condizioni della squadra Valenti ha confermato l'assenza di Moretti e recuperato Ferraris: "
            "«Lorenzo sta bene, si è allenato con il gruppo tutta la settimana».",
            "Il tecnico ha poi parlato della classifica: «Non guardo gli altri, penso solo a noi. Se giochiamo "
            "come sappiamo possiamo battere chiunque».",
        ),
    ),
    Text(
        "valenti_bologna_tmw",
        "tmw",
        "valenti",
        "preview",
        "Valenti in conferenza: le parole verso Bologna-Torino",
        (
            "Paolo Valenti ha parlato oggi in conferenza stampa. Ecco le dichiarazioni del tecnico del Bologna "
            "in vista della gara di domani contro il Torino.",
            "Sull'avversario: «Serve una partita di personalità, il Torino è una squadra fisica e ci metterà in "
            "difficoltà se non saremo concentrati».",
            "Sugli infortunati: «Moretti non ci sarà, Lorenzo Ferraris invece sta bene, si è allenato con il "
            "gruppo tutta la settimana».",
            "Sulla corsa all'Europa: «Non guardo gli altri, penso solo a noi». Il Bologna arriva alla sfida dopo "
            "due vittorie consecutive e occupa il sesto posto in classifica.",
        ),
    ),
    # --- Formula 1 at Monza ---------------------------------------------------------------------------
    Text(
        "monza_gazzetta",
        "gazzetta",
        "monza",
        "report",
        "Gp di Monza, la Ferrari fa festa con Sala",
        (
            "Monza si colora di rosso. Marco Sala vince il Gran Premio d'Italia davanti a centomila tifosi e "
            "regala alla Ferrari il primo successo stagionale sul circuito di casa.",
            "Partito dalla seconda posizione, il pilota italiano ha superato il poleman alla prima variante e "
            "non ha più lasciato la testa della corsa, gestendo le gomme con una strategia a una sola sosta.",
            "Sul podio salgono anche Weber, secondo a cinque secondi, e Dubois, terzo dopo una rimonta dalla "
            "decima piazza. Solo sesto l'altro ferrarista, rallentato da un problema al pit stop.",
            "Con questa vittoria Sala si porta a 18 punti dal leader del mondiale quando mancano otto gare.",
        ),
    ),
    Text(
        "monza_cds",
        "cds",
        "monza",
        "report",
        "Sala re di Monza, il popolo rosso invade la pista",
        (
            "Il sogno si avvera: Marco Sala trionfa a Monza e scatena la festa dei tifosi della Ferrari, che a "
            "fine gara invadono il rettilineo sotto il podio come da tradizione.",
            "La gara si decide al via. Sala scatta bene, si affianca a Weber e lo passa in frenata alla prima "
            "chicane. Da lì in poi è un monologo, con un'unica sosta ai box al giro 21.",
            "Weber chiude secondo, Dubois completa il podio. Giornata storta per il compagno di squadra di Sala, "
            "che perde secondi preziosi per una ruota non fissata.",
            "«È la vittoria più bella della mia carriera», ha detto il pilota dopo la bandiera a scacchi.",
        ),
    ),
    # --- MotoGP at Mugello --------------------------------------------------------------------------
    Text(
        "mugello_skysport",
        "skysport",
        "mugello",
        "report",
        "MotoGP, al Mugello vince Conti all'ultimo giro",
        (
            "Un sorpasso all'ultima curva regala a Simone Conti la vittoria nel Gran Premio d'Italia di MotoGP. "
            "Il pilota della Ducati ha beffato Alvarez sul traguardo per appena 47 millesimi.",
            "La gara è stata una lunga battaglia a tre, con Conti, Alvarez e Nakamura sempre racchiusi in meno di "
            "un secondo. Nakamura è caduto a quattro giri dalla fine mentre era in testa.",
            "Alvarez ha provato a difendersi fino all'ultimo, ma in uscita dalla Bucine Conti ha sfruttato la "
            "scia e lo ha passato sul rettilineo d'arrivo.",
            "In classifica Conti sale al secondo posto, a nove punti dal leader.",
        ),
    ),
    Text(
        "mugello_gazzetta",
        "gazzetta",
        "mugello",
        "report",
        "Conti, che beffa ad Alvarez: Mugello in delirio",
        (
            "Quarantasette millesimi. Tanto è bastato a Simone Conti per vincere al Mugello in una volata che "
            "resterà nella storia del motomondiale.",
            "Il ducatista è stato paziente per tutta la corsa, restando alle spalle di Nakamura e Alvarez. "
            "Quando il giapponese è scivolato alla San Donato, la sfida è diventata un duello.",
            "All'ultimo giro Alvarez ha chiuso tutte le porte, ma sul dritto finale la Ducati ha fatto la "
            "differenza e Conti lo ha affiancato e superato proprio sulla linea.",
            "«Non ci credevo nemmeno io», ha raccontato il vincitore, che ora è secondo nel mondiale.",
        ),
    ),
    # --- Tennis in Rome ----------------------------------------------------------------------------------
    Text(
        "rinaldi_ansa",
        "ansa",
        "rinaldi",
        "report",
        "Internazionali, Rinaldi in semifinale",
        (
            "Matteo Rinaldi è in semifinale agli Internazionali d'Italia. Il tennista romano ha battuto il "
            "norvegese Haugen per 6-4 3-6 7-5 dopo due ore e mezza di gioco sul Centrale del Foro Italico.",
            "Dopo un primo set giocato in controllo, Rinaldi ha subito il ritorno dell'avversario, che ha "
            "vinto il secondo parziale grazie a un break nel quarto game.",
            "Nel terzo set l'azzurro ha annullato due palle break sul 5-5 e poi ha chiuso al primo match point "
            "con un dritto lungolinea. In semifinale affronterà lo spagnolo Navarro.",
        ),
    ),
    Text(
        "rinaldi_skysport",
        "skysport",
        "rinaldi",
        "report",
        "Rinaldi non si ferma più: battuto Haugen",
        (
            "Il Foro Italico sogna con Matteo Rinaldi. Il ventitreenne romano supera Haugen in tre set e "
            "conquista la sua prima semifinale in un Masters 1000.",
            "Partita di grande intensità, con il norvegese capace di rimettere in piedi il match nel secondo set "
            "con un servizio quasi perfetto. Rinaldi è stato bravo a non perdere la calma.",
            "Decisivo l'undicesimo game del terzo set, quando l'italiano ha strappato il servizio all'avversario "
            "con una serie di risposte profonde. Adesso c'è Navarro.",
        ),
    ),
    # --- Volleyball --------------------------------------------------------------------------------------
    Text(
        "volley_gazzetta",
        "gazzetta",
        "volley",
        "report",
        "Volley, l'Italia batte il Brasile e vola in finale",
        (
            "La Nazionale femminile di pallavolo è in finale. Le azzurre hanno battuto il Brasile per 3-1 "
            "(25-21, 22-25, 25-19, 25-23) al termine di una semifinale combattuta.",
            "Trascinate dai 24 punti dell'opposto Marchetti, le ragazze del ct hanno saputo reagire dopo aver "
            "perso il secondo set, alzando il livello in battuta e a muro.",
            "In finale l'Italia affronterà la Turchia, che ha superato gli Stati Uniti al tie-break.",
        ),
    ),
    Text(
        "volley_ansa",
        "ansa",
        "volley",
        "report",
        "Pallavolo, azzurre in finale: 3-1 al Brasile",
        (
            "L'Italia del volley femminile conquista la finale superando il Brasile 3-1. Migliore in campo "
            "Giulia Marchetti con 24 punti.",
            "Dopo il primo set vinto con autorità, le azzurre hanno subito il ritorno delle sudamericane, "
            "brave a pareggiare i conti. Nel terzo e nel quarto parziale, però, il muro italiano ha fatto la "
            "differenza.",
            "«Siamo felici ma non abbiamo ancora vinto niente», ha commentato la capitana. Domenica la finale "
            "contro la Turchia.",
        ),
    ),
    # --- Giro d'Italia ------------------------------------------------------------------------------------
    Text(
        "giro_gazzetta",
        "gazzetta",
        "giro",
        "report",
        "Giro d'Italia, Ferrante vince a Bormio e va in rosa",
        (
            "Andrea Ferrante vince la tappa regina del Giro d'Italia e conquista la maglia rosa. Il corridore "
            "abruzzese è arrivato da solo a Bormio dopo aver staccato i rivali sulle rampe finali dello Stelvio.",
            "La fuga di giornata, partita dopo trenta chilometri, è stata ripresa ai piedi dell'ultima salita. "
            "Ferrante ha attaccato a sette chilometri dalla vetta e nessuno è riuscito a seguirlo.",
            "Il belga Peeters, finora leader della classifica, ha perso oltre un minuto e mezzo e scende al "
            "secondo posto. Domani è in programma una tappa di trasferimento.",
        ),
    ),
    Text(
        "giro_tuttosport",
        "tuttosport",
        "giro",
        "report",
        "Ferrante domina lo Stelvio: è maglia rosa",
        (
            "Sullo Stelvio nasce una stella. Andrea Ferrante attacca, se ne va e arriva a Bormio con le braccia "
            "alzate, prendendosi la tappa e la maglia rosa.",
            "Dopo una giornata controllata dalla squadra del leader, la corsa si è accesa sulla salita finale. "
            "Ferrante ha rotto gli indugi a sette chilometri dallo scollinamento.",
            "Peeters ha pagato lo sforzo e ha ceduto 1'34\". «Sapevo che era il giorno giusto», ha detto il "
            "vincitore sul traguardo.",
        ),
    ),
    # --- Single articles ------------------------------------------------------------------------------------
    Text(
        "palermo_bari_tmw",
        "tmw",
        "palermo_bari",
        "report",
        "Serie B, il Palermo batte il Bari al Barbera",
        (
            "Il Palermo torna alla vittoria e lo fa nel modo migliore, battendo il Bari 2-0 al Barbera davanti a "
            "trentamila tifosi. Decidono le reti di Scognamiglio nel primo tempo e di Vitale nel recupero.",
            "I rosanero hanno controllato la partita fin dai primi minuti, concedendo pochissimo agli ospiti. Il "
            "Bari si è reso pericoloso solo con un tiro dalla distanza nella ripresa.",
            "Con questo successo il Palermo sale al terzo posto in classifica, in piena zona playoff.",
        ),
    ),
    Text(
        "virtus_olimpia_gazzetta",
        "gazzetta",
        "virtus_olimpia",
        "report",
        "Basket, la Virtus vince il derby d'Italia con l'Olimpia",
        (
            "La Virtus Bologna si aggiudica la sfida con l'Olimpia Milano per 84-79 alla Segafredo Arena. "
            "Decisivi i canestri nel finale di Moretti, autore di 21 punti.",
            "Milano ha condotto per tre quarti di gara, toccando anche le dieci lunghezze di vantaggio, ma nel "
            "quarto periodo ha segnato appena undici punti.",
            "Le due squadre restano appaiate in vetta alla classifica di Serie A. Mercoledì entrambe tornano in "
            "campo in Eurolega.",
        ),
    ),
    Text(
        "nuoto_ansa",
        "ansa",
        "nuoto",
        "news",
        "Nuoto, Bellini record italiano nei 200 stile",
        (
            "Sara Bellini ha stabilito il nuovo record italiano dei 200 stile libero ai campionati assoluti di "
            "Riccione, toccando in 1'55\"31.",
            "La nuotatrice veneta ha migliorato di tre decimi il suo stesso primato, ottenuto la scorsa estate. "
            "Il tempo le vale anche il pass per i Mondiali.",
            "«Sono contenta, ma so che posso fare ancora meglio», ha detto a fine gara.",
        ),
    ),
    Text(
        "sci_gazzetta",
        "gazzetta",
        "sci",
        "report",
        "Sci, Giulia Rota vince la discesa di Cortina",
        (
            "Giulia Rota trionfa nella discesa libera di Cortina d'Ampezzo. L'azzurra ha preceduto la svizzera "
            "Keller di 18 centesimi e l'austriaca Huber di 35.",
            "Una gara perfetta sulla Olympia delle Tofane, con il miglior tempo in tutti gli intermedi. È la "
            "terza vittoria in carriera in Coppa del Mondo.",
            "Con questo risultato Rota sale al secondo posto della classifica di specialità.",
        ),
    ),
    Text(
        "rugby_ansa",
        "ansa",
        "rugby",
        "report",
        "Sei Nazioni, l'Italia sfiora l'impresa con la Francia",
        (
            "L'Italia del rugby esce sconfitta ma a testa alta dallo Stadio Olimpico: la Francia vince 24-20 "
            "solo grazie a una meta nei minuti finali.",
            "Gli azzurri erano avanti 20-17 a cinque minuti dalla fine, dopo una meta di Lorenzi e quattro "
            "calci piazzati di Bianchi.",
            "Resta la soddisfazione per una prestazione di grande carattere davanti a sessantamila spettatori.",
        ),
    ),
    Text(
        "sorteggio_skysport",
        "skysport",
        "sorteggio",
        "news",
        "Champions League, il sorteggio degli ottavi",
        (
            "Il sorteggio di Nyon ha definito gli accoppiamenti degli ottavi di finale di Champions League. "
            "L'Inter affronterà il Porto, la Juventus se la vedrà con il Bayern Monaco.",
            "Andata in programma a metà febbraio, ritorno nella prima settimana di marzo. Le squadre italiane "
            "giocheranno la gara di ritorno in casa.",
            "Dirigenti soddisfatti a metà: il Bayern è tra gli avversari più temuti del tabellone.",
        ),
    ),
    Text(
        "atletica_cds",
        "cds",
        "atletica",
        "news",
        "Atletica, Ricci d'oro nel salto in alto agli Europei",
        (
            "Pietro Ricci è campione d'Europa nel salto in alto. Il trentino ha superato 2,33 al primo tentativo "
            "e ha battuto l'ucraino Bondarenko, fermo a 2,31.",
            "Gara perfetta per l'azzurro, che non ha commesso errori fino alla misura vincente.",
            "È la prima medaglia d'oro dell'Italia in questa edizione dei campionati europei.",
        ),
    ),
    Text(
        "femminile_skysport",
        "skysport",
        "femminile",
        "report",
        "Serie A femminile, la Roma allunga in vetta",
        (
            "La Roma femminile batte la Juventus 2-1 nello scontro diretto e porta a sei punti il vantaggio in "
            "classifica. In gol Serra e De Santis, inutile la rete bianconera nel recupero.",
            "Le giallorosse hanno dominato il primo tempo, chiuso in vantaggio di due gol. Nella ripresa la "
            "Juventus ha alzato il ritmo senza però riuscire a completare la rimonta.",
            "Mancano ora sei giornate alla fine della stagione regolare.",
        ),
    ),
    Text(
        "sansiro_cds",
        "cds",
        "sansiro",
        "news",
        "Nuovo San Siro, il Comune approva il progetto",
        (
            "Il consiglio comunale di Milano ha approvato il progetto del nuovo stadio di San Siro. Il via "
            "libera è arrivato dopo una seduta durata oltre sei ore.",
            "L'impianto avrà una capienza di sessantamila posti e sorgerà accanto al vecchio Meazza, che verrà "
            "in parte demolito. I lavori dovrebbero cominciare entro due anni.",
            "Soddisfatte Inter e Milan, che da anni chiedono una struttura moderna e di proprietà.",
        ),
    ),
    Text(
        "mercato_portieri_calciomercato",
        "calciomercato",
        "portieri",
        "rumour",
        "Mercato, il Milan cerca un portiere: tre nomi",
        (
            "Il Milan guarda al mercato dei portieri. La dirigenza rossonera ha stilato una lista di tre nomi "
            "per sostituire il titolare, in scadenza di contratto a giugno.",
            "In cima alla lista c'è il francese Lemaire, seguito da un giovane del campionato olandese e da un "
            "estremo difensore della Serie A che piace da tempo.",
            "La decisione arriverà solo dopo un confronto con l'allenatore, previsto nelle prossime settimane.",
        ),
    ),
)
